"""The events reports as Python functions, for any range of UTC days (the daily CSVs are the same
queries for one day: `include/sql/events/reports/`).

    >>> from datetime import date
    >>> from filegate.datasets.events import queries
    >>> queries.events_by_type(conninfo, date(2024, 3, 1), date(2024, 3, 7))   # 1 to 7 March, both included
    [{'event': 'page_view', 'level': 'info', 'events': 51234}, ...]
    >>> queries.active_users(conninfo, date(2024, 3, 1))                        # one day
    {'users': 480, 'sessions': 1311, 'events_per_user': 9.0}
    >>> queries.error_rate(conninfo, date(2024, 3, 1), date(2024, 3, 31))
    >>> queries.top_paths(conninfo, date(2024, 3, 1))

`conninfo` is a libpq connection string to the warehouse (`filegate.warehouse.connection.conninfo_from_env()` gives
the configured one where AIRFLOW_CONN_WAREHOUSE is set, as under `make up`).
"""
from __future__ import annotations

from datetime import date

from filegate.outputs.daily import day_interval
from filegate.outputs.reports import report_query


def events_by_type(conninfo: str, first: date, last: date | None = None) -> list[dict]:
    """[{event, level, events}], most frequent first."""
    return _rows(conninfo, "events_by_type", first, last)


def active_users(conninfo: str, first: date, last: date | None = None) -> dict:
    """{users, sessions, events_per_user (the median over users)}."""
    return _rows(conninfo, "active_users", first, last)[0]


def error_rate(conninfo: str, first: date, last: date | None = None) -> dict:
    """{events, errors (level error or fatal), error_rate (None without events)}."""
    return _rows(conninfo, "error_rate", first, last)[0]


def top_paths(conninfo: str, first: date, last: date | None = None) -> list[dict]:
    """[{path, requests, p95_ms}] for the 20 paths requested most."""
    return _rows(conninfo, "top_paths", first, last)


def _rows(conninfo: str, report: str, first: date, last: date | None) -> list[dict]:
    from psycopg.rows import dict_row

    from filegate.warehouse.connection import connect

    last = first if last is None else last
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    query = report_query("events", report)
    start, end = day_interval(first)[0], day_interval(last)[1]
    with connect(conninfo, row_factory=dict_row) as conn:
        return conn.execute(query, {"start": start, "end": end}).fetchall()
