"""One event whatever it arrived as: aliases, levels, users as text, timestamps (ISO with an offset,
epoch seconds or milliseconds), attributes flattened to dotted keys, and faults named."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from filegate.datasets.events.normalize import event_from_pairs, timestamp


def event(**fields):
    return event_from_pairs(fields.items())


@pytest.mark.parametrize("value, stored", [
    ("2024-03-01T12:00:03.120Z", "2024-03-01T12:00:03.120000+00:00"),
    ("2024-03-01T14:00:03+02:00", "2024-03-01T12:00:03+00:00"),
    ("2024-03-01 07:00:03.5-05:00", "2024-03-01T12:00:03.500000+00:00"),
    (1709294403, "2024-03-01T12:00:03+00:00"),
    (1709294403.12, "2024-03-01T12:00:03.120000+00:00"),
    ("1709294403.120", "2024-03-01T12:00:03.120000+00:00"),
    (1709294403120, "2024-03-01T12:00:03.120000+00:00"),     # 10^11 and above: milliseconds
    ("1709294403120", "2024-03-01T12:00:03.120000+00:00"),
    (99_999_999_999, "5138-11-16T09:46:39+00:00"),            # just below 10^11: still seconds
    (100_000_000_000, "1973-03-03T09:46:40+00:00"),           # 10^11: milliseconds
    (0, "1970-01-01T00:00:00+00:00"),
])
def test_timestamps_are_stored_in_utc(value, stored):
    assert timestamp(value) == stored
    assert datetime.fromisoformat(stored).tzinfo == timezone.utc


@pytest.mark.parametrize("value, problem", [
    ("2024-03-01T12:00:03", "has no offset"),
    ("yesterday", "neither ISO 8601 nor an epoch number"),
    ("2024-02-30T00:00:00Z", "neither ISO 8601 nor an epoch number"),
    (True, "neither ISO 8601 text nor an epoch number"),
    ({"t": 1}, "neither ISO 8601 text nor an epoch number"),
    (10**30, "out of range"),
])
def test_a_bad_timestamp_is_named(value, problem):
    with pytest.raises(ValueError, match=problem):
        timestamp(value)


def test_known_fields_arrive_under_any_of_their_names():
    a = event(ts="2024-03-01T12:00:03Z", level="info", event="login", user_id="42", session_id="s1", message="hi")
    b = event(time=1709294403, lvl="INFO", event="login", user=42, session="s1", msg="hi")
    c = event(timestamp="1709294403000", severity="Info", event="login", user="42", session="s1", message="hi")
    d = event(TS="2024-03-01T12:00:03+00:00", Level="INFO", Event="login", USER_ID=42, Session="s1", MSG="hi")
    assert a == b == c == d == {"ts": "2024-03-01T12:00:03+00:00", "level": "info", "event": "login", "user_id": "42",
                                "session_id": "s1", "message": "hi", "attributes": {}}


def test_an_absent_or_empty_level_is_null_never_guessed():
    assert event(ts=0, event="x")["level"] is None
    assert event(ts=0, event="x", level="")["level"] is None
    assert event(ts=0, event="x", level="WARNING")["level"] == "warning"


def test_attributes_are_text_and_nested_objects_flatten_to_dotted_keys():
    e = event(ts=0, event="x", ms=123, ratio=0.5, ok=True, off=False, none=None, tags=["a", 1], text="é",
              context={"geo": {"country": "DE", "city": {"name": "Köln"}}, "depth": 2},
              attributes={"path": "/home"}, request={"id": "r1"})
    assert e["attributes"] == {"ms": "123", "ratio": "0.5", "ok": "true", "off": "false", "none": None,
                               "tags": '["a",1]', "text": "é", "geo.country": "DE", "geo.city.name": "Köln",
                               "depth": "2", "path": "/home", "request.id": "r1"}


@pytest.mark.parametrize("fields, problem", [
    ({"event": "x"}, "no timestamp"),
    ({"ts": "", "event": "x"}, "no timestamp"),
    ({"ts": 0}, "no event name"),
    ({"ts": 0, "event": ""}, "no event name"),
    ({"ts": 0, "time": 1, "event": "x"}, r"ts is given twice \(as 'ts' and 'time'\)"),
    ({"ts": 0, "event": "x", "user": {"id": 1}}, "user_id must be a single value, not an object"),
    ({"ts": 0, "event": ["x"]}, "event must be a single value, not a list"),
    ({"ts": 0, "event": "x", "path": "/a", "context": {"path": "/b"}}, "attribute 'path' is given twice"),
    ({"ts": 0, "event": "x", "geo.cc": "DE", "geo": {"cc": "FR"}}, "attribute 'geo.cc' is given twice"),
])
def test_faults_are_named(fields, problem):
    with pytest.raises(ValueError, match=problem):
        event_from_pairs(fields.items())
