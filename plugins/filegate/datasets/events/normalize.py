"""One event, whatever format it came in: the known fields under their one name, typed, and every
other key an attribute.

Known fields and the names they may arrive under (compared lower-cased; declared as the columns'
aliases in `tables`):

    ts          ts, time, timestamp      ISO 8601 with an offset or Z, or epoch seconds
                                         (milliseconds from 10^11 on); stored in UTC
    level       level, lvl, severity      lower-cased; absent or empty: null (never guessed)
    event       event                    required
    user_id     user_id, user            text: JSON 42 and logfmt 42 are one user
    session_id  session_id, session
    message     message, msg

Attributes are the kit's catch-all column (`filegate.kit.attributes`: values as text, nested
objects flattened into dotted keys); here the objects `attributes` and `context` lend no prefix
(`{"context": {"geo": {"cc": "DE"}}}` gives `geo.cc`). A key given twice (two names of one field,
or a flattened key equal to another) is a fault: nothing is silently dropped.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Iterable

from filegate.datasets.events.tables import EVENTS
from filegate.kit import attributes as kept
from filegate.kit import jsontext

ALIASES = EVENTS.fields()   # each name a known field arrives under (lower-cased) -> the field
UNPREFIXED = ("attributes", "context")   # nested objects whose keys are attributes as they are
MILLISECONDS_FROM = 10 ** 11              # an epoch this large is in milliseconds (10^11 s is the year 5138)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
UTC = timezone.utc


def event_from_pairs(pairs: Iterable[tuple[str, Any]]) -> dict:
    """An event from (key, value) pairs in arrival order (values: text, JSON scalars, or, from JSON,
    objects and lists). Raises ValueError naming the problem."""
    event = {"ts": None, "level": None, "event": None, "user_id": None, "session_id": None, "message": None}
    attributes: dict = {}
    seen: dict[str, str] = {}
    for key, value in pairs:
        field = _FIELDS.get(key)
        if field is None:
            field = _field(key)
        if not field:
            kept.add(attributes, key, value, UNPREFIXED)
            continue
        if field in seen:
            raise ValueError(f"{field} is given twice (as {seen[field]!r} and {key!r})")
        seen[field] = key
        event[field] = value
    return finish(event, attributes)


_FIELDS: dict[str, str] = {}   # key -> its known field, or "" for an attribute: keys repeat, decide each once


def _field(key: str) -> str:
    field = ALIASES.get(key) or ALIASES.get(key.lower()) or ""
    if len(_FIELDS) < 1 << 14:
        _FIELDS[key] = field
    return field


def finish(event: dict, attributes: dict) -> dict:
    """Type the known fields of `event` (as they arrived) and attach `attributes`."""
    ts = event["ts"]
    if ts is None or ts == "":
        raise ValueError("no timestamp (ts, time or timestamp)")
    event["ts"] = timestamp(ts)
    name = event["event"]
    if name is None or name == "":
        raise ValueError("no event name (event)")
    if type(name) is not str:
        event["event"] = scalar_text("event", name)
    level = event["level"]
    if level is not None:
        event["level"] = (level.lower() if type(level) is str else scalar_text("level", level).lower()) or None
    for field in ("user_id", "session_id", "message"):
        value = event[field]
        if value is not None and type(value) is not str:
            event[field] = scalar_text(field, value)
        elif value == "":
            event[field] = None
    event["attributes"] = attributes
    return event


def scalar_text(field: str, value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise ValueError(f"{field} must be a single value, not {'an object' if type(value) is dict else 'a list'}")
    return kept.text(value)


def timestamp(value: Any) -> str:
    """The canonical UTC ISO text of a timestamp (see the module doc); ValueError when it is not one."""
    if type(value) is str:
        return _timestamp_text(value)
    if type(value) is jsontext.Number:
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"timestamp {value!r} is neither ISO 8601 text nor an epoch number")
    return _epoch(value)


_EPOCH_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


@lru_cache(maxsize=1 << 12)
def _timestamp_text(text: str) -> str:
    stripped = text.strip()
    if _EPOCH_TEXT.fullmatch(stripped):
        return _epoch(int(stripped) if "." not in stripped else Decimal(stripped))
    try:
        t = datetime.fromisoformat(stripped)
    except ValueError:
        raise ValueError(f"timestamp {text!r} is neither ISO 8601 nor an epoch number") from None
    if t.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no offset (Z or ±hh:mm): its time zone would be a guess")
    try:
        return t.astimezone(UTC).isoformat()
    except OverflowError:   # 9999-12-31T23:59:59-12:00 is in year 10000 in UTC
        raise ValueError(f"timestamp {text!r} is out of range in UTC (years 1 to 9999)") from None


def _epoch(number: Any) -> str:
    """Epoch seconds, or milliseconds from MILLISECONDS_FROM on, to the canonical UTC ISO text."""
    try:
        exact = number if type(number) is int else Decimal(repr(number)) if type(number) is float else number
        micro = int(exact * (1000 if abs(exact) >= MILLISECONDS_FROM else 1_000_000))
        return (EPOCH + timedelta(microseconds=micro)).isoformat()
    except (OverflowError, ValueError, InvalidOperation):
        raise ValueError(f"epoch timestamp {number!r} is out of range") from None
