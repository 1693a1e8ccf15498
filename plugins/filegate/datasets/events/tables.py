"""The events table: one row per event, whatever format it arrived in.

Events have no natural key (two identical events in two files are two events): a file re-delivered
under its name with other bytes replaces the rows of its earlier version (the kit's unkeyed publish).
Every key that is not a known field is an attribute, kept as text in an hstore (GIN-indexed, for
`attributes ? 'path'` and `attributes @> 'status=>500'`).
"""
from __future__ import annotations

from filegate.kit.tables import Column, Table

KNOWN = ("ts", "level", "event", "user_id", "session_id", "message")   # the fields an event is typed by

EVENTS = Table(
    name="events",
    columns=(
        Column("ts", "timestamptz", required=True, comment="when it happened (UTC)", aliases=("time", "timestamp")),
        Column("level", "text", comment="lower-case as sent (info, warn, error, ...); null when the event had none",
               aliases=("lvl", "severity")),
        Column("event", "text", required=True, comment="the event's name (http_request for a web-server access log line)"),
        Column("user_id", "text", comment="as text: JSON 42 and logfmt 42 are one user", aliases=("user",)),
        Column("session_id", "text", aliases=("session",)),
        Column("message", "text", aliases=("msg",)),
        Column("attributes", "hstore", comment="every other key, values as text (nested objects flattened to dotted keys)"),
    ),
    attributes="attributes",
    surrogate_key="event_id",
    indexes={"ts": "btree", "attributes": "gin"},
    comment="Application and web-server events from .log (logfmt, Combined Log Format), .csv and .json files",
)

TABLES = (EVENTS,)
