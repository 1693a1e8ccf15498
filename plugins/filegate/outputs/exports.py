"""Daily exports: nested NDJSON gzip a dataset shapes from SQL, `reports/<dataset>/<export>/<YYYY-MM-DD>.json.gz`.

Where a report is a table (a CSV), an export is a document per entity (an operator with all its
wells and their months, say), too big to build in memory. Its `exports/<export>.sql` in the
dataset's SQL folder is one ordered SELECT using `%(start)s` and `%(end)s` (the UTC day), read
through a server-side cursor a few hundred rows at a time; the dataset's `shape` turns the rows
into text pieces as they come, and those are compressed and written as they come, to a temp file
renamed into place at the end. So memory holds one fetch of rows and about a megabyte of output,
whatever the data size, and re-running a day rewrites exactly that day's file.
"""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

log = logging.getLogger(__name__)

FETCH_ROWS = 500   # rows per round trip of the server-side cursor: a row may be a document part of tens of KB
FLUSH_BYTES = 1 << 20
PROGRESS_EVERY = 1_000_000
EXPORT_GZIP_LEVEL = 3   # ISA-L's best: an export is kept and shipped, written once


def write_export(conninfo: str, dataset: str, name: str, day: date, reports_root: Path) -> Path:
    from filegate import datasets
    from filegate.kit.readers.compressed import open_gzip
    from filegate.outputs.daily import day_interval, replacing
    from filegate.warehouse.connection import connect

    ds = datasets.get(dataset)
    export = ds.export(name)
    source = ds.sql_folder / "exports" / f"{name}.sql"
    if not source.is_file():
        raise FileNotFoundError(f"export {name!r} of {dataset} has no SQL file {source}")
    start, end = day_interval(day)
    out = reports_root / dataset / name / f"{day.isoformat()}.json.gz"
    progress = _Progress(dataset, name)
    with replacing(out) as tmp, connect(conninfo) as conn, conn.transaction(), open_gzip(tmp, EXPORT_GZIP_LEVEL) as f:
        conn.execute("SET LOCAL TIME ZONE 'UTC'")   # timestamps are UTC, whatever PGTZ or the server says
        with conn.cursor(name=f"export_{name}") as cursor:   # server-side: rows arrive as they are read
            cursor.itersize = FETCH_ROWS
            cursor.execute(source.read_text().strip().rstrip(";"), {"start": start, "end": end})
            buffer = bytearray()
            for piece in export.pieces(progress.count(cursor)):
                buffer += piece
                if len(buffer) >= FLUSH_BYTES:
                    f.write(buffer)
                    buffer.clear()
            f.write(buffer)
    log.info("export %s/%s for %s: %d rows written to %s", dataset, name, day, progress.rows, out)
    return out


class _Progress:
    def __init__(self, dataset: str, name: str):
        self.dataset, self.name, self.rows = dataset, name, 0

    def count(self, rows: Iterable[Any]) -> Iterator[Any]:
        for row in rows:
            self.rows += 1
            if self.rows % PROGRESS_EVERY == 0:
                log.info("export %s/%s: %d rows read", self.dataset, self.name, self.rows)
            yield row
