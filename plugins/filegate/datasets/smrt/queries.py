"""Answers to the SMRT seed's questions, as plain functions over a warehouse conninfo.

    >>> from filegate.datasets.smrt import queries
    >>> queries.meter_count(conninfo)
    >>> queries.readings_for_meter(conninfo, "0000000002")   # any accepted spelling of the number
    >>> queries.files_received(conninfo), queries.last_file_received(conninfo)
"""
from __future__ import annotations

from filegate.datasets.smrt.reader import canonical_meter
from filegate.warehouse import connect


def meter_count(conninfo: str) -> int:
    """How many meters the warehouse holds."""
    with connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM smrt.meters").fetchone()[0]


def readings_for_meter(conninfo: str, meter_number: str) -> list[dict]:
    """All readings of one meter, oldest first, each with the file it came from."""
    from psycopg.rows import dict_row

    canonical = canonical_meter(meter_number.strip())
    if canonical is None:
        raise ValueError(f"{meter_number!r} is not a meter number (up to 11 digits)")
    with connect(conninfo, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT r.meter_number, r.reading_start_utc, r.consumption, f.filename, r.line, f.received_at"
            " FROM smrt.readings r JOIN filegate.files f USING (file_id)"
            " WHERE r.meter_number = %s ORDER BY r.reading_start_utc", (canonical,)).fetchall()


def files_received(conninfo: str) -> int:
    """How many SMRT files were received, whatever became of them."""
    with connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM filegate.files WHERE dataset = 'smrt'").fetchone()[0]


def last_file_received(conninfo: str) -> dict | None:
    """The most recently received SMRT file, with its status."""
    from psycopg.rows import dict_row

    with connect(conninfo, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT file_id, filename, received_at, status, reason, rows_loaded FROM filegate.files"
            " WHERE dataset = 'smrt' ORDER BY received_at DESC, file_id DESC LIMIT 1").fetchone()
