"""events through the real steps against the embedded PostgreSQL: the sample's events stored as
generated (hstore attributes included), bad files refused naming the line; a re-delivered file
replacing its earlier rows; awkward hstore keys and values round-tripping; the four reports
and the Python API against answers computed here, independently, from the generated events."""
from __future__ import annotations

import csv
import json
import math
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import psycopg
import pytest

from filegate.datasets.events import queries
from filegate.datasets.events.sample import sample_files, write_sample
from tests.support.helpers import drop
from tests.support.helpers import run_batch as run_any_batch

DAY = datetime.now(timezone.utc).date()


def run_batch(run_id, conninfo, settings):
    return run_any_batch(run_id, conninfo, settings, dataset="events")


def query(conninfo, sql, params=None):
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql, params).fetchall()


def statuses(conninfo):
    return {name: (status, reason) for name, status, reason in
            query(conninfo, "SELECT filename, status, reason FROM filegate.files ORDER BY file_id")}


def stored_events(conninfo):
    from psycopg.types import TypeInfo
    from psycopg.types.hstore import register_hstore

    with psycopg.connect(conninfo) as conn:
        register_hstore(TypeInfo.fetch(conn, "hstore"), conn)
        return conn.execute("SELECT e.ts, e.level, e.event, e.user_id, e.session_id, e.message, e.attributes,"
                            " f.filename, e.line FROM events.events e JOIN filegate.files f USING (file_id)"
                            " ORDER BY f.filename, e.line").fetchall()


def test_the_sample_is_stored_as_generated_and_bad_files_name_their_line(conninfo, settings):
    write_sample(settings.landing / "events")
    run_batch("run1", conninfo, settings)
    files = sample_files(DAY)
    got = statuses(conninfo)
    assert {name: status for name, (status, _) in got.items()} == {
        name: "rejected" if kind == "bad" else "loaded" for name, (kind, _, _) in files.items()}
    seventh = files["app/api-broken.log"][1].decode().splitlines()[6]
    assert got["app/api-broken.log"][1] == ("app/api-broken.log, line 7: not logfmt: the quoted value of 'note' "
                                            f"is not closed (column {seventh.index('note=') + 6})")
    assert got["exports/no-time.csv"][1] == "exports/no-time.csv, line 5: no timestamp (ts, time or timestamp)"
    assert got["mobile/cut.json"][1].startswith("mobile/cut.json, line 3: not a JSON object")
    assert "gzip data is corrupt or truncated" in got["web/access-old.log.gz"][1]

    want = [(e.ts, e.level, e.event, e.user_id, e.session_id, e.message, e.attributes, name)
            for name, (kind, _, evs) in sorted(files.items()) if kind == "good" for e in evs]   # in file order
    rows = stored_events(conninfo)
    assert [row[:8] for row in rows] == want


def test_a_redelivered_file_replaces_its_rows_and_identical_events_elsewhere_stay(conninfo, settings):
    landing = settings.landing / "events"
    line = "ts=2024-03-01T10:00:00Z event=login user=7\n"
    drop(landing, "a.log", line * 3, age=300)
    drop(landing, "b.log", line, age=300)   # the same event in another file: another event
    run_batch("run1", conninfo, settings)
    assert query(conninfo, "SELECT count(*) FROM events.events") == [(4,)]

    drop(landing, "a.log", line + "ts=2024-03-01T11:00:00Z event=logout user=7\n", age=200)
    run_batch("run2", conninfo, settings)
    assert query(conninfo, "SELECT f.filename, e.event, e.line FROM events.events e JOIN filegate.files f"
                           " USING (file_id) ORDER BY 1, 3") == [("a.log", "login", 1), ("a.log", "logout", 2),
                                                                 ("b.log", "login", 1)]

    drop(landing, "a.log", line + "ts=2024-03-01T11:00:00Z event=logout user=7\n", age=100)   # same bytes
    run_batch("run3", conninfo, settings)
    [(status, reason)] = query(conninfo, "SELECT status, reason FROM filegate.files ORDER BY file_id DESC LIMIT 1")
    assert status == "duplicate" and "same content" in reason
    assert query(conninfo, "SELECT count(*) FROM events.events") == [(3,)]


AWKWARD = {"a=b": "c=d", 'say "hi"': 'he said "no"', "x,y": "1,2", "a>b": "=>", "": "empty key",
           "empty": "", "naïve": "café ✓", "back\\slash": "C:\\temp\\", "null": None, "new\nline": "tab\there"}


def test_awkward_hstore_keys_and_values_round_trip(conninfo, settings):
    record = {"ts": "2024-03-01T10:00:00Z", "event": "odd", "context": AWKWARD}
    drop(settings.landing / "events", "odd.json", json.dumps(record) + "\n", age=100)
    run_batch("run1", conninfo, settings)
    [row] = stored_events(conninfo)
    assert row[6] == AWKWARD
    # and PostgreSQL sees the same pairs through its own operators
    pairs = dict(query(conninfo, "SELECT key, value FROM events.events, each(attributes)"))
    assert pairs == AWKWARD
    assert query(conninfo, "SELECT count(*) FROM events.events WHERE attributes @> %s::hstore",
                 ('"a=b"=>"c=d", "x,y"=>"1,2"',)) == [(1,)]


# Answers computed here from the generated events, not by the SQL under test.

def expected(evs):
    by_type = Counter((e.event, e.level) for e in evs)
    users = Counter(e.user_id for e in evs if e.user_id is not None)
    errors = sum(e.level in ("error", "fatal") for e in evs)
    paths = defaultdict(list)
    for e in evs:
        if e.attributes.get("path") is not None:
            ms = e.attributes.get("ms")
            paths[e.attributes["path"]].append(None if ms is None else Decimal(ms))
    top = sorted(paths.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:20]
    return {
        "events_by_type": sorted(((ev, lvl, n) for (ev, lvl), n in by_type.items()),
                                 key=lambda r: (-r[2], r[0], (r[1] is not None, r[1] or ""))),
        "active_users": (len(users), len({e.session_id for e in evs if e.session_id is not None}),
                         statistics.median(users.values()) if users else None),
        "error_rate": (len(evs), errors, (Decimal(errors) / len(evs)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
                       if evs else None),
        "top_paths": [(p, len(v), p95([x for x in v if x is not None])) for p, v in top],
    }


def p95(values):
    """percentile_cont(0.95) as PostgreSQL defines it (in double precision: linear interpolation
    between the values at the ranks around 0.95 (n - 1)), rounded as round(numeric, 1) rounds."""
    if not values:
        return None
    values = sorted(float(v) for v in values)
    rank = 0.95 * (len(values) - 1)
    low = math.floor(rank)
    high = math.ceil(rank)
    exact = values[low] + (values[high] - values[low]) * (rank - low)
    return Decimal(f"{exact:.15g}").quantize(Decimal("0.1"), ROUND_HALF_UP)


def report(conninfo, settings, name, day):
    from filegate.outputs.reports import write

    with open(write(conninfo, "events", name, day, settings.reports), newline="") as f:
        return list(csv.DictReader(f))


def as_number(text):
    return None if text == "" else Decimal(text)


def test_the_reports_and_the_python_api_agree_with_answers_computed_here(conninfo, settings):
    write_sample(settings.landing / "events")
    extra = [e for e in sample_files(DAY - timedelta(days=1))["app/api.log"][2][:40]]   # another day
    from filegate.datasets.events.sample import logfmt_line

    drop(settings.landing / "events", "app/yesterday.log", "\n".join(logfmt_line(e, 1) for e in extra) + "\n", 90)
    run_batch("run1", conninfo, settings)
    today = [e for kind, _, evs in sample_files(DAY).values() if kind == "good" for e in evs]
    for day, evs in ((DAY, today), (DAY - timedelta(days=1), extra), (DAY - timedelta(days=2), [])):
        want = expected(evs)
        got = report(conninfo, settings, "events_by_type", day)
        assert [(r["event"], r["level"] or None, int(r["events"])) for r in got] == want["events_by_type"]
        [got] = report(conninfo, settings, "active_users", day)
        users, sessions, median = want["active_users"]
        assert (int(got["users"]), int(got["sessions"]), as_number(got["events_per_user"])) == (
            users, sessions, None if median is None else Decimal(str(median)))
        [got] = report(conninfo, settings, "error_rate", day)
        assert (int(got["events"]), int(got["errors"]), as_number(got["error_rate"])) == want["error_rate"]
        got = report(conninfo, settings, "top_paths", day)
        assert [(r["path"], int(r["requests"]), as_number(r["p95_ms"])) for r in got] == want["top_paths"]

    # the Python API: the same queries over a range of days
    both = expected(today + extra)
    assert [(r["event"], r["level"], r["events"]) for r in
            queries.events_by_type(conninfo, DAY - timedelta(days=1), DAY)] == both["events_by_type"]
    assert queries.error_rate(conninfo, DAY - timedelta(days=1), DAY) == dict(
        zip(("events", "errors", "error_rate"), both["error_rate"]))
    api = queries.active_users(conninfo, DAY - timedelta(days=1), DAY)
    assert (api["users"], api["sessions"], api["events_per_user"]) == both["active_users"]
    assert [(r["path"], r["requests"], r["p95_ms"]) for r in queries.top_paths(conninfo, DAY - timedelta(days=1), DAY)] \
        == both["top_paths"]
    with pytest.raises(ValueError, match="ends"):
        queries.events_by_type(conninfo, DAY, DAY - timedelta(days=1))


def test_top_paths_uses_the_gin_index_for_attribute_queries(conninfo, settings):
    write_sample(settings.landing / "events")
    run_batch("run1", conninfo, settings)
    with psycopg.connect(conninfo) as conn:
        conn.execute("SET enable_seqscan = off")   # the sample is small: show the index CAN serve `?`
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN SELECT count(*) FROM events.events WHERE attributes ? 'ms'"))
    assert "ix_events_attributes" in plan


def access_line(agent: str, path: str = "/z", second: int = 3) -> str:
    return (f'10.0.0.7 - - [03/Mar/2024:12:00:{second:02d} +0000] "GET {path} HTTP/1.1" 200 12 "-" "{agent}"\n')


def test_issue25_a_user_agent_too_long_to_index_refuses_its_file_alone_run_after_run(conninfo, settings):
    """Issue 25, defect 1: a 3,000-character user agent beside a good file made publish fail on the
    GIN over `attributes` (index row size 3016 exceeds maximum 2712), both files stayed claimed and
    every later run failed the same way."""
    import random

    landing = settings.landing / "events"
    drop(landing, "first.log", access_line("curl/8.0", "/a", 1), 120)
    run_batch("run-1", conninfo, settings)   # the table holds rows: the GIN index is grown, not built
    letters = random.Random(3)
    agent = "".join(letters.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3000))
    drop(landing, "long_agent.log", access_line("Mozilla/5.0", "/y", 2) + access_line(agent), 60)
    drop(landing, "good.log", access_line("curl/8.1", "/b", 4), 60)
    run_batch("run-2", conninfo, settings)
    files = statuses(conninfo)
    assert {name: status for name, (status, _) in files.items()} == {
        "first.log": "loaded", "long_agent.log": "rejected", "good.log": "loaded"}
    assert files["long_agent.log"][1].startswith("long_agent.log, line 2: PostgreSQL refused its rows at publish")
    assert "a value too long to index" in files["long_agent.log"][1]
    assert query(conninfo, "SELECT attributes -> 'path' FROM events.events ORDER BY ts") == [("/a",), ("/b",)]
    assert sorted(p.name for p in (settings.quarantine / "events").rglob("long_agent.log*")) == [
        "long_agent.log", "long_agent.log.reason.json"]
    drop(landing, "later.log", access_line("curl/8.2", "/c", 5), 60)   # the next run is not blocked
    run_batch("run-3", conninfo, settings)
    assert statuses(conninfo)["later.log"][0] == "loaded"
