"""The folders files pass through: landing -> archive | quarantine. Files are moved, never deleted.

A file counts as complete when it has no temporary suffix, is not hidden, and has not been
modified for `min_file_age` seconds; its size must also hold still while it is hashed.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from filegate.settings import TEMP_SUFFIXES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LandedFile:
    path: Path
    filename: str          # relative to landing/<dataset>/, posix separators
    size: int
    received_at: datetime  # mtime, UTC
    sha256: str


def candidates(landing_dir: Path, pattern: str) -> list[Path]:
    """Files matching the dataset pattern, in name order, temporaries and hidden files excluded."""
    if not landing_dir.is_dir():
        return []
    found = []
    for path in sorted(landing_dir.rglob(pattern)):
        rel = path.relative_to(landing_dir)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if path.name.endswith(TEMP_SUFFIXES):
            continue
        found.append(path)
    return found


def complete_files(landing_dir: Path, pattern: str, min_age: float, now: float | None = None) -> list[Path]:
    now = time.time() if now is None else now
    ready = []
    for path in candidates(landing_dir, pattern):
        age = now - path.stat().st_mtime
        if age < min_age:
            log.info("%s was modified %.0fs ago (< %.0fs): waiting for it to settle", path.name, age, min_age)
            continue
        ready.append(path)
    return ready


def fingerprint(path: Path, landing_dir: Path) -> LandedFile | None:
    """Hash a file; None if it changed while being read (still being written)."""
    before = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    after = path.stat()
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        log.warning("%s changed while it was being hashed: leaving it for the next run", path)
        return None
    return LandedFile(
        path=path,
        filename=path.relative_to(landing_dir).as_posix(),
        size=after.st_size,
        received_at=datetime.fromtimestamp(after.st_mtime, tz=timezone.utc),
        sha256=digest.hexdigest(),
    )


def run_folder(run_id: str) -> str:
    """A run id made safe as one folder name (run ids hold ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_") or "run"


def move(path: Path, to_root: Path, dataset: str, run_folder: str, filename: str) -> Path:
    """Move a raw file to `<to_root>/<dataset>/<run>/<filename>`; never overwrite, never delete."""
    target = to_root / dataset / run_folder / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        stem = target.name
        n = 1
        while target.exists():
            target = target.with_name(f"{stem}.{n}")
            n += 1
    os.replace(path, target)
    return target


def write_reason(quarantined: Path, reason: str, details: dict | None = None) -> Path:
    """The reason a file was quarantined, beside it, for whoever opens the folder."""
    note = quarantined.with_name(quarantined.name + ".reason.json")
    body = {"file": quarantined.name, "reason": reason, "quarantined_at": datetime.now(timezone.utc).isoformat()}
    if details:
        body["details"] = details
    note.write_text(json.dumps(body, indent=2, default=str) + "\n")
    return note
