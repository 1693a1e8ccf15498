"""Daily report CSVs from SQL files, written atomically (temp file + rename).

Each `reports/<report>.sql` in a dataset's SQL folder (`include/sql/<dataset>/`) is one SELECT using `%(start)s` and `%(end)s`
(the UTC day's data interval). Re-running a day rewrites exactly that day's files. A dataset's
exports (nested NDJSON gzip, `filegate.outputs.exports`) are written for the day beside them (`write`).
"""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from filegate import datasets
from filegate.outputs.daily import day_interval, replacing
from filegate.warehouse.connection import connect

log = logging.getLogger(__name__)


def write(conninfo: str, dataset: str, name: str, day: date, reports_root: Path) -> Path:
    """The day's file of report or export `name`."""
    if name in datasets.get(dataset).reports:
        return write_report(conninfo, dataset, name, day, reports_root)
    from filegate.outputs.exports import write_export

    return write_export(conninfo, dataset, name, day, reports_root)


def report_query(dataset: str, report: str) -> str:
    """The SELECT of `reports/<report>.sql` (`%(start)s`, `%(end)s`), as the daily CSV and any
    Python API over the same report run it."""
    source = datasets.get(dataset).sql_folder / "reports" / f"{report}.sql"
    if not source.is_file():
        raise FileNotFoundError(f"report {report!r} of {dataset} has no SQL file {source}")
    return source.read_text().strip().rstrip(";")


def write_report(conninfo: str, dataset: str, report: str, day: date, reports_root: Path) -> Path:
    from psycopg import sql

    query = report_query(dataset, report)
    start, end = day_interval(day)
    out = reports_root / dataset / report / f"{day.isoformat()}.csv"
    statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(sql.SQL(query))
    with replacing(out) as tmp, connect(conninfo) as conn, open(tmp, "wb") as f:
        conn.execute("SET TIME ZONE 'UTC'")   # a report's timestamps are UTC, whatever PGTZ or the server says
        with conn.cursor().copy(statement, {"start": start, "end": end}) as copy:
            for block in copy:
                f.write(block)
    log.info("report %s/%s for %s written to %s", dataset, report, day, out)
    return out
