"""The suite collects the same tests every time: pytest-xdist's workers each collect it, and a
parameter id built from the clock (a gzip header's mtime did) makes them disagree and fails the
whole run before one test runs."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def collected() -> list[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n0", "-p", "no:cacheprovider",
                           "tests"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_two_collections_a_few_seconds_apart_name_the_same_tests():
    first = collected()
    time.sleep(1.5)   # past a second boundary: what the clock changes shows
    second = collected()
    assert len(first) > 500
    assert first == second, sorted(set(first) ^ set(second))
