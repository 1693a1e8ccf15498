"""Writing a dataset's sample files as a sender delivers them: in an order, at settled times."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filegate.settings import Settings


def settled_time(s: Settings) -> datetime:
    """A delivery time that already counts as complete when this run looks (FILEGATE_MIN_FILE_AGE)."""
    return datetime.now(timezone.utc) - timedelta(seconds=s.min_file_age + 60)


def write_in_delivery_order(landing_dir: Path, files: dict, created: datetime | None = None) -> None:
    """Write {name: (kind, text or bytes)} into `landing_dir`, each file's time a second after the one
    before and the last at `created` (default now): file order, which decides between two
    deliveries of one key, is the order of `files`."""
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
