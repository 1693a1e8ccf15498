"""Measure a command as its own process: wall time, CPU time and peak RSS (from wait4's rusage).

Issue 4's side-by-side benchmarks build on this; it is kept free of filegate imports so a
contender's own imports are all it pays for.
"""
from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Measurement:
    label: str
    wall_s: float
    cpu_s: float
    peak_rss_mib: float


def measure(label: str, argv: list[str], env: dict | None = None) -> Measurement:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{label}: {' '.join(argv)} exited {code}")
    # ru_maxrss is KiB on Linux
    return Measurement(label, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def machine() -> str:
    mem_kib = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return (f"{platform.machine()}, {os.cpu_count()} cores, {mem_kib / 1024 / 1024:.0f} GiB, "
            f"Python {sys.version.split()[0]}")


def table(rows: list[Measurement], extra: dict[str, list[str]] | None = None) -> str:
    head = ["contender", "wall (s)", "CPU (s)", "peak RSS (MiB)", *(extra or {})]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, m in enumerate(rows):
        cells = [m.label, f"{m.wall_s:.1f}", f"{m.cpu_s:.1f}", f"{m.peak_rss_mib:.0f}",
                 *[v[i] for v in (extra or {}).values()]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine_slug() -> str:
    mem_kib = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return f"{platform.machine()}-{os.cpu_count()}cores-{mem_kib / 1024 / 1024:.0f}gib"


def record(section: str, text: str, folder: Path = RESULTS) -> Path:
    """Put `text` as `section` of today's results file for this machine,
    `bench/results/<date>-<machine>.md`, replacing that section if it is already there: each
    benchmark writes its own part, and the file gathers one day's results on one machine."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{date.today()}-{machine_slug()}.md"
    body = path.read_text() if path.exists() else f"# bench results, {date.today()}\n\nMachine: {machine()}\n"
    begin, end = f"<!-- {section} -->", f"<!-- /{section} -->"
    block = f"{begin}\n{text.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    body = pattern.sub(lambda _: block, body) if pattern.search(body) else body.rstrip() + "\n\n" + block + "\n"
    path.write_text(body)
    return path
