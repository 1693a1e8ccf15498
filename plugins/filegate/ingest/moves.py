"""Raw files out of landing, into archive/ or quarantine/: recorded first, then moved.

The registry names where a file goes before it is moved, so a crash between the two (the
database gone, kill -9) leaves a record of the place and the file still in landing, and the next
run finishes the move to exactly that place; the other order would leave a moved file the
registry still places in landing. Nothing is overwritten, nothing deleted. A folder that cannot
be written (permissions, `chattr +i`, a full disk) fails the step with one line saying what to
fix; the file stays in landing and the same command finishes the move once it is fixed.
"""
from __future__ import annotations

import os
from pathlib import Path

from filegate.ingest import faults, landing, registry
from filegate.kit.errors import machine_error
from filegate.warehouse.connection import connect


def place(conninfo: str, file_id: int, root: Path, dataset: str, run_folder: str, filename: str) -> Path:
    """Where a file goes under `root` (archive or quarantine): the place the registry already
    names for it when an interrupted move left it there unused, else a free name."""
    with connect(conninfo) as conn:
        recorded = registry.get(conn, file_id).stored_path
    if recorded is not None and root in recorded.parents and not os.path.lexists(recorded):
        return recorded
    return landing.destination(root, dataset, run_folder, filename)


def store(conninfo: str, file_id: int, path: Path, target: Path, point: str,
          reason: str | None = None, details: dict | None = None) -> Path:
    """Move `path` to `target`, recorded in the registry first; with `reason`, a refused file's
    `.reason.json` is written beside it (before the file, so it is never missing once it is there)."""
    with connect(conninfo, autocommit=True) as conn:
        registry.set_stored_path(conn, file_id, target)
    faults.inject(point)
    try:
        if reason is not None:
            landing.write_reason(target, reason, details)
        landing.move_to(path, target)
    except OSError as e:
        said = machine_error(e, f"could not move {path} to {target}", "Nothing is lost: the file stays in landing, "
                             "and the next run moves it once this is fixed")
        if said:
            raise said from e
        raise
    return target
