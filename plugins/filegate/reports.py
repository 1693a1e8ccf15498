"""Daily report CSVs from SQL files, written atomically (temp file + rename).

Each `include/sql/<dataset>/reports/<report>.sql` is one SELECT using `%(start)s` and `%(end)s`
(the UTC day's data interval). Re-running a day rewrites exactly that day's files.
"""
from __future__ import annotations

import logging
import os
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from filegate.warehouse import connect, sql_file

log = logging.getLogger(__name__)


def day_interval(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def write_report(conninfo: str, dataset: str, report: str, day: date, reports_root: Path) -> Path:
    from psycopg import sql

    query = sql_file(f"{dataset}/reports/{report}.sql").strip().rstrip(";")
    start, end = day_interval(day)
    out = reports_root / dataset / report / f"{day.isoformat()}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(sql.SQL(query))
    try:
        with connect(conninfo) as conn, open(tmp, "wb") as f:
            with conn.cursor().copy(statement, {"start": start, "end": end}) as copy:
                for chunk in copy:
                    f.write(chunk)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("report %s/%s for %s written to %s", dataset, report, day, out)
    return out
