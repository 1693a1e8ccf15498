"""
### events: application and web-server logs

Loads events from `landing/events/` (subfolders allowed): `*.log` in logfmt (Go's slog, Heroku)
or the Combined Log Format (Apache, nginx), `*.csv` with a header, `*.json` as NDJSON or an
array of objects, each optionally gzip-compressed (`*.log.gz`, ...), into `events.events`: ts
(UTC), level, event, user_id, session_id, message, and every other key as an hstore attribute
(nested JSON objects flattened to dotted keys). Lines are read FILEGATE_EVENTS_CHUNK_ROWS
(default 100,000) at a time, in bounded memory whatever the file size.

wait → claim → convert (each file's lines parsed to events) → stage → audit (Great
Expectations: a timestamp and an event name on every row) → publish → archive. A line that
cannot be read, or lacks a timestamp or an event name, refuses its file whole, naming the line.
Events have no natural key: a file re-delivered under its name with other bytes replaces the
rows of its earlier version; the same bytes again are a duplicate.

Reports (`reports/events/<report>/<YYYY-MM-DD>.csv`): events_by_type, active_users, error_rate,
top_paths; the same queries for any day range from Python (`filegate.datasets.events.queries`).
See docs/datasets/events.md.
"""
from __future__ import annotations

from filegate.datasets.events.settings import EventsSettings, events_settings
from filegate.datasets.events.tables import TABLES
from filegate.kit.declaration import Dataset

__all__ = ["DATASET", "EventsSettings", "events_settings"]


DATASET = Dataset(
    name="events",
    description="Application and web-server events (.log logfmt/access logs, .csv, .json; gzip) with hstore attributes",
    pattern="*.log *.csv *.json *.log.gz *.csv.gz *.json.gz",
    reader="filegate.datasets.events.reader:read_events",
    tables=TABLES,
    reloadable=True,   # a file re-delivered under its name with other bytes replaces its earlier rows
    summary_reports=("events_by_type",),
    sample="filegate.datasets.events.sample:write_for_first_run",
    settings=events_settings,
    tags=("events", "logs"),
)
