"""Samples for a fresh environment: every dataset that ships a sample writes it into its landing
folder, so the first `make run` has something real (and some deliberately bad files) to load."""
from __future__ import annotations

from filegate import datasets, registry
from filegate.processes import say
from filegate.settings import Settings
from filegate.warehouse import connect


def write_if_fresh(s: Settings, conninfo: str) -> None:
    """Only when no landing folder holds a file and nothing was ever received, so real files are
    processed as they are and a second run finds nothing new."""
    if s.landing.exists() and any(p.is_file() for p in s.landing.rglob("*")):
        return
    with connect(conninfo) as conn:
        if registry.count(conn):
            return
    for ds in datasets.discovered():
        if ds.sample is not None:
            folder = s.landing / ds.name
            what = ds.sample(folder, s)
            say(f"• fresh environment: wrote {what} to {folder}")


def settled_time(s: Settings):
    """A delivery time that already counts as complete when this run looks (FILEGATE_MIN_FILE_AGE)."""
    from datetime import datetime, timedelta, timezone

    return datetime.now(timezone.utc) - timedelta(seconds=s.min_file_age + 60)


def write_in_delivery_order(landing_dir, files: dict, created=None) -> None:
    """Write {name: (kind, text or bytes)} into `landing_dir`, each file's time a second after the one
    before and the last at `created` (default now): file order, which decides between two
    deliveries of one key, is the order of `files`."""
    import os
    from datetime import datetime, timezone

    landing_dir.mkdir(parents=True, exist_ok=True)
    end = (created or datetime.now(timezone.utc)).timestamp()
    for i, (name, (_, text)) in enumerate(files.items()):
        path = landing_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        stamp = end - (len(files) - 1 - i)
        os.utime(path, (stamp, stamp))
