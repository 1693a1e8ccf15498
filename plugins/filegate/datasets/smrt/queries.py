"""Answers to the SMRT seed's questions, as plain functions over a warehouse conninfo.

    >>> from filegate.datasets.smrt import queries
    >>> queries.meter_count(conninfo)
    >>> queries.readings_for_meter(conninfo, "0000000002")   # any accepted spelling of the number
    >>> queries.files_received(conninfo), queries.last_file_received(conninfo)
"""
from __future__ import annotations

from dataclasses import asdict

from filegate.datasets.smrt.reader import canonical_meter
from filegate.ingest import registry
from filegate.warehouse.connection import connect, value


def meter_count(conninfo: str) -> int:
    """How many meters the warehouse holds."""
    with connect(conninfo) as conn:
        return value(conn, "SELECT count(*) FROM smrt.meters")


def readings_for_meter(conninfo: str, meter_number: str, limit: int | None = None, offset: int = 0) -> list[dict]:
    """All readings of one meter, oldest first, each with the file it came from; or one page of
    them (`limit` readings after the first `offset`)."""
    from psycopg.rows import dict_row

    with connect(conninfo, row_factory=dict_row) as conn:
        readings = conn.execute(
            "SELECT meter_number, reading_start_utc, consumption, file_id, line FROM smrt.readings"
            " WHERE meter_number = %s ORDER BY reading_start_utc LIMIT %s OFFSET %s",
            (meter(meter_number), limit, offset)).fetchall()
        sources = {f.file_id: f for f in registry.files(conn, {r["file_id"] for r in readings})}
    return [{"meter_number": r["meter_number"], "reading_start_utc": r["reading_start_utc"],
             "consumption": r["consumption"], "filename": sources[r["file_id"]].filename, "line": r["line"],
             "received_at": sources[r["file_id"]].received_at} for r in readings]


def reading_count(conninfo: str, meter_number: str) -> int:
    """How many readings one meter has."""
    with connect(conninfo) as conn:
        return value(conn, "SELECT count(*) FROM smrt.readings WHERE meter_number = %s",
                            (meter(meter_number),))


def meter(meter_number: str) -> str:
    """The canonical number of any accepted spelling, or ValueError."""
    canonical = canonical_meter(meter_number.strip())
    if canonical is None:
        raise ValueError(f"{meter_number!r} is not a meter number (up to 11 digits)")
    return canonical


def files_received(conninfo: str) -> int:
    """How many SMRT files were received, whatever became of them."""
    with connect(conninfo) as conn:
        return registry.count(conn, "smrt")


def last_file_received(conninfo: str) -> dict | None:
    """The most recently received SMRT file, with its status."""
    with connect(conninfo) as conn:
        last = registry.last_received(conn, "smrt")
    if last is None:
        return None
    return {k: v for k, v in asdict(last).items()
            if k in ("file_id", "filename", "received_at", "status", "reason", "rows_loaded")}
