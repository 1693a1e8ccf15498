"""Fault injection for crash tests, at named points of the ingest steps (`POINTS`).

FILEGATE_INJECT_FAULT=<point> raises InjectedFault there, once per process, so an in-process
retry (dag.test) goes through. FILEGATE_KILL_AT=<point> kills the process there with SIGKILL, as
a power cut or the OOM killer would: nothing runs after it, no `finally`, no rollback in Python.
FILEGATE_PAUSE_AT=<point> sleeps there FILEGATE_PAUSE_SECONDS (default 3), once per process, so
a test can act from outside meanwhile (write to a file being read, kill the database), having
first written the point's name to FILEGATE_PAUSE_MARKER when that names a file (so the test
knows when). Unset, they do nothing.
"""
from __future__ import annotations

import os
import signal
import time

POINTS = (
    "claim",                  # the first file of the batch is claimed, the others not yet
    "convert",                # a part is being written
    "stage",                  # the first table is staged, the others not yet
    "refuse",                 # a refused file is marked in the registry, not yet moved to quarantine
    "quarantine",             # its place in quarantine is recorded, the file not yet moved there
    "audit",                  # the first table is validated, the others not yet
    "publish.before_commit",  # the upserts ran, the transaction is not committed
    "publish.after_commit",   # committed, nothing archived yet
    "archive",                # a loaded file's place in archive is recorded, the file not yet moved there
)

_fired: set[str] = set()


class InjectedFault(RuntimeError):
    pass


def inject(point: str) -> None:
    if os.environ.get("FILEGATE_KILL_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("FILEGATE_PAUSE_AT") == point and f"pause:{point}" not in _fired:
        _fired.add(f"pause:{point}")
        if os.environ.get("FILEGATE_PAUSE_MARKER"):
            with open(os.environ["FILEGATE_PAUSE_MARKER"], "w") as marker:
                marker.write(point)
        time.sleep(float(os.environ.get("FILEGATE_PAUSE_SECONDS", "3")))
    if os.environ.get("FILEGATE_INJECT_FAULT") == point and point not in _fired:
        _fired.add(point)
        raise InjectedFault(f"injected fault at {point} (FILEGATE_INJECT_FAULT)")
