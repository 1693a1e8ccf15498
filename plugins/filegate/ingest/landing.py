"""The folders files pass through: landing -> archive | quarantine. Files are moved, never deleted.

A file counts as complete when it has no temporary suffix, is not hidden, and has not been
modified for `min_file_age` seconds; its size must also hold still while it is hashed.

Only regular files that really are inside the landing folder are read. A symbolic link, anything
reached through a linked folder, and anything that is not a regular file (a FIFO, a socket, a
device) is a *stranger*: claim refuses it without reading it, and moves the link itself.
"""
from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import logging
import os
import re
import stat
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from filegate.settings import TEMP_SUFFIXES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LandedFile:
    path: Path
    filename: str          # relative to landing/<dataset>/, posix separators
    size: int
    received_at: datetime  # mtime, UTC
    sha256: str
    identity: tuple | None = None   # `identity()` when hashed: conversion checks the bytes are the same


class Arrivals(NamedTuple):
    """What one look at a landing folder found, each list in path order."""
    regular: list[Path]     # regular files inside the folder: the ones that are read
    strangers: list[Path]   # links, linked folders, FIFOs, sockets, devices, names not UTF-8: refused, never read


def stranger_kind(path: Path, landing_dir: Path) -> str:
    """What a stranger is, from the link itself (its target is never opened)."""
    if not _legible_path(path, landing_dir):
        return ("a file whose name is not valid UTF-8 (quarantined under the name shown, its bad bytes "
                "written as \\x..: rename it and drop it again to load it)")
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if not _inside(path, landing_dir):
        return "reached through a linked folder"
    return {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
            stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}.get(stat.S_IFMT(mode), "not a regular file")


def legible(name: str) -> str:
    """A name as text that can be stored, logged and passed on: bytes that are not UTF-8 (which
    the OS hands over as lone surrogates) written as `\\xff`. A UTF-8 name is unchanged."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _legible_path(path: Path, landing_dir: Path) -> bool:
    rel = path.relative_to(landing_dir).as_posix()
    return legible(rel) == rel


def matches(name: str, pattern: str) -> bool:
    """Whether a file name matches `pattern`: one glob, or several separated by spaces
    (`*.log *.log.gz`); case counts."""
    return any(fnmatch.fnmatchcase(name, glob) for glob in pattern.split())


def scan(landing_dir: Path, pattern: str) -> Arrivals:
    """One walk of the folder: names matching `pattern` (`matches`) at any depth, temporaries and hidden
    files excluded; a link to a folder is a stranger whatever its name, and is never walked into."""
    if not landing_dir.is_dir() or landing_dir.is_symlink():
        return Arrivals([], [])
    regular, strange = [], []
    for folder, dirs, names in os.walk(landing_dir, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(dirs + names):
            path = Path(folder, name)
            if name.startswith(".") or name.endswith(TEMP_SUFFIXES):
                continue
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:   # gone since it was listed
                continue
            if stat.S_ISLNK(mode) and path.is_dir():
                strange.append(path)
            elif not matches(name, pattern) or stat.S_ISDIR(mode):
                continue
            elif stat.S_ISREG(mode) and _inside(path, landing_dir) and _legible_path(path, landing_dir):
                regular.append(path)
            else:
                strange.append(path)
    return Arrivals(sorted(regular), sorted(strange))


def _inside(path: Path, landing_dir: Path) -> bool:
    """True when no link on the way leads out: the path resolves to itself under the folder."""
    return os.path.realpath(path) == os.path.join(os.path.realpath(landing_dir), path.relative_to(landing_dir))


def modified_at(about: os.stat_result, now: float | None = None) -> float:
    """When a file was last written, as far as can be told: its mtime, unless that lies in the
    future (a sender's clock ahead, `touch -d tomorrow`), when the kernel's own change time is
    taken instead. A future mtime would otherwise keep the file "being written" until that day."""
    now = time.time() if now is None else now
    return about.st_mtime if about.st_mtime <= now + FUTURE_SLACK_S else about.st_ctime


FUTURE_SLACK_S = 2   # clocks of one machine's filesystem and time.time() may differ by a tick


def settled(paths: list[Path], min_age: float, now: float | None = None) -> list[Path]:
    """The files unmodified for `min_age` seconds: complete, as far as a sender's writes go."""
    now = time.time() if now is None else now
    ready = []
    for path in paths:
        age = now - modified_at(path.stat(), now)
        if age < min_age:
            log.info("%s was modified %.0fs ago (< %.0fs): waiting for it to settle", path.name, age, min_age)
            continue
        ready.append(path)
    return ready


def fingerprint(path: Path, landing_dir: Path) -> LandedFile | None:
    """Hash a file; None if it changed while being read (still being written)."""
    digest = hashlib.sha256()
    try:   # never through a link, even one swapped in since the listing
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NOFOLLOW)) as f:
            before = os.fstat(f.fileno())
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as e:
        log.warning("%s could not be read as a regular file (%s): leaving it for the next run", path, e.strerror)
        return None
    after = path.lstat()
    if _identity(before) != _identity(after):
        log.warning("%s changed while it was being hashed: leaving it for the next run", path)
        return None
    return LandedFile(
        path=path,
        filename=path.relative_to(landing_dir).as_posix(),
        size=after.st_size,
        received_at=datetime.fromtimestamp(modified_at(after), tz=timezone.utc),
        sha256=digest.hexdigest(),
        identity=_identity(after),
    )


def identity(path: Path) -> tuple | None:
    """What changes whenever a file's bytes do: inode, size, mtime and ctime (the kernel sets
    ctime on every write and nothing can set it back). None when the path is gone or a link."""
    try:
        about = path.lstat()
    except FileNotFoundError:
        return None
    return _identity(about) if stat.S_ISREG(about.st_mode) else None


def _identity(about: os.stat_result) -> tuple:
    return (about.st_ino, about.st_size, about.st_mtime_ns, about.st_ctime_ns)


def run_folder(run_id: str) -> str:
    """A run id made safe as one folder name (run ids hold ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_") or "run"


def destination(to_root: Path, dataset: str, run_folder: str, filename: str) -> Path:
    """`<to_root>/<dataset>/<run>/<filename>`, or `<filename>.1`, `.2`, … when that name is taken:
    a place no file holds, so a move never overwrites."""
    target = to_root / dataset / run_folder / filename
    n = 1
    while os.path.lexists(target) or os.path.lexists(target.with_name(target.name + ".reason.json")):
        target = target.with_name(f"{filename.rsplit('/', 1)[-1]}.{n}")
        n += 1
    return target


def move_to(path: Path, target: Path) -> Path:
    """Move a raw file (or a link, as the link) to `target`; never overwrite, never delete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "a file is already there", str(target))
    os.replace(path, target)
    return target


def move(path: Path, to_root: Path, dataset: str, run_folder: str, filename: str) -> Path:
    """Move a raw file to `<to_root>/<dataset>/<run>/<filename>` (`destination`)."""
    return move_to(path, destination(to_root, dataset, run_folder, filename))


def write_reason(quarantined: Path, reason: str, details: dict | None = None) -> Path:
    """The reason a file was quarantined, beside it, for whoever opens the folder."""
    note = quarantined.with_name(quarantined.name + ".reason.json")
    note.parent.mkdir(parents=True, exist_ok=True)
    body: dict[str, object] = {"file": quarantined.name, "reason": reason, "quarantined_at": datetime.now(timezone.utc).isoformat()}
    if details:
        body["details"] = details
    note.write_text(json.dumps(body, indent=2, default=str) + "\n")
    return note
