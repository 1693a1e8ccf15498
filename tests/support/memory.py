"""Memory as the kernel counts it: the peak resident set (VmHWM) of a fresh interpreter, C buffers
(ISA-L, msgspec, orjson) included, which tracemalloc does not see.

Not `ru_maxrss` from wait4: Linux folds the forking parent's high-water mark into the child's at
exec, so a child of a big test process would look as big as its parent.
"""
from __future__ import annotations

import subprocess
import sys

REPORT = "\nprint('VmHWM', [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0])\n"


def peak_rss_mib(code: str) -> float:
    """Run `code` in a fresh interpreter (it must succeed); return its peak RSS in MiB."""
    done = subprocess.run([sys.executable, "-c", code + REPORT], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    kib = done.stdout.strip().splitlines()[-1].split()[1]
    return int(kib) / 1024
