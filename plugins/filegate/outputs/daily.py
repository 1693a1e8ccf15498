"""What every daily output (a report CSV, an export) shares: the UTC day it covers, and the
atomic replacement of its file (a reader sees the old day's file or the new one, never half)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Iterator


def day_interval(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """A temp file beside `out`, renamed to `out` when the block succeeds, removed either way:
    a reader of `out` sees the old day's file or the new one, never half of one."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
