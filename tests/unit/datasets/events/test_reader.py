"""events reader: every format (gzip too) gives the same events with their lines; the grammar of
a .log is told from its first line; bad lines refuse the file naming the line; the records are
exactly what the kit's own typing gives; lines are read in chunks of FILEGATE_EVENTS_CHUNK_ROWS
in flat memory whatever the file size."""
from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from filegate.datasets.events import EventsSettings
from filegate.datasets.events.reader import kind_of, raw_lines, read_events
from filegate.datasets.events.sample import clf_line, events, json_record, logfmt_line, sample_files
from filegate.datasets.events.tables import EVENTS
from filegate.kit.coerce import Typer, coerce_record
from filegate.kit.errors import Reject
from tests.support.memory import peak_rss_mib

DAY = date(2024, 3, 1)


def read(path, chunk_rows=100_000):
    parsed = read_events(path, EventsSettings(chunk_rows=chunk_rows))
    return parsed.header, [r for table, chunk in parsed.chunks for r in chunk if table == "events"]


def write(tmp_path, name, text: str | bytes):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def stored(e) -> dict:
    return {"ts": e.ts.isoformat(), "level": e.level, "event": e.event, "user_id": e.user_id,
            "session_id": e.session_id, "message": e.message, "attributes": e.attributes}


@pytest.mark.parametrize("name, kind", [("a.log", ".log"), ("x/y/a.LOG.gz", ".log"), ("a.csv", ".csv"),
                                        ("a.csv.gz", ".csv"), ("a.json", ".json"), ("a.json.gz", ".json")])
def test_the_name_says_the_kind(tmp_path, name, kind):
    assert kind_of(tmp_path / name) == kind


@pytest.mark.parametrize("name", ["a.txt", "a.gz", "a.log.bz2", "a.jsonl"])
def test_other_names_are_refused(tmp_path, name):
    with pytest.raises(Reject, match="not an events file"):
        kind_of(tmp_path / name)


def test_every_sample_file_reads_as_its_events(tmp_path):
    """The same generated events written in each format (and gzip) read back as they must be
    stored; each bad file is refused at its line."""
    for name, (kind, data, evs) in sample_files(DAY).items():
        path = write(tmp_path, name, data)
        if kind == "bad":
            with pytest.raises(Reject):
                read(path)
            continue
        header, out = read(path)
        assert [{k: v for k, v in r.items() if k != "_line"} for r in out] == [stored(e) for e in evs], name
        assert header["compressed"] == name.endswith(".gz")


def test_lines_are_where_each_event_starts(tmp_path):
    evs = events(3, DAY, 4, "app")
    logfmt = "\n".join(["", logfmt_line(evs[0], 0), "   ", logfmt_line(evs[1], 1), "", logfmt_line(evs[2], 0)])
    assert [r["_line"] for r in read(write(tmp_path, "a.log", logfmt + "\r\n"))[1]] == [2, 4, 6]
    rows = read(write(tmp_path, "a.csv", 'ts,event,message\n1,a,"two\nlines"\n\n2,b,x\n'))[1]
    assert [(r["_line"], r["message"]) for r in rows] == [(2, "two\nlines"), (5, "x")]
    pretty = json.dumps([json_record(e, "attributes") for e in evs], indent=2)
    starts = [n for n, text in enumerate(pretty.split("\n"), start=1) if text == "  {"]
    assert [r["_line"] for r in read(write(tmp_path, "a.json", pretty))[1]] == starts and len(starts) == 4


def test_csv_columns_beyond_the_known_ones_are_attributes(tmp_path):
    text = ('Timestamp,LEVEL,event,user,session,msg,path,ms,geo.country\n'
            '2024-03-01T12:00:03Z,Info,page_view,42,s1,"hello, ""you""",/home,123,DE\n'
            '1709294403,,click,,,,,,\n')
    header, out = read(write(tmp_path, "e.csv", text))
    assert header == {"format": "csv", "compressed": False}
    assert out == [
        {"ts": "2024-03-01T12:00:03+00:00", "level": "info", "event": "page_view", "user_id": "42", "session_id": "s1",
         "message": 'hello, "you"', "attributes": {"path": "/home", "ms": "123", "geo.country": "DE"}, "_line": 2},
        {"ts": "2024-03-01T12:00:03+00:00", "level": None, "event": "click", "user_id": None, "session_id": None,
         "message": None, "attributes": {}, "_line": 3}]


def test_json_nested_attributes_and_context_flatten_in_ndjson_and_arrays(tmp_path):
    record = {"time": "2024-03-01T12:00:03Z", "event": "x", "user": 42,
              "attributes": {"browser": {"name": "firefox", "version": 124}}, "context": {"region": "eu"}, "top": 1}
    want = {"ts": "2024-03-01T12:00:03+00:00", "level": None, "event": "x", "user_id": "42", "session_id": None,
            "message": None, "attributes": {"browser.name": "firefox", "browser.version": "124", "region": "eu",
                                            "top": "1"}}
    ndjson = read(write(tmp_path, "a.json", json.dumps(record) + "\n" + json.dumps(record) + "\n"))
    array = read(write(tmp_path, "b.json.gz", gzip.compress(json.dumps([record, record]).encode())))
    assert ndjson[0]["format"] == "ndjson" and array[0]["format"] == "json-array"
    assert [{k: v for k, v in r.items() if k != "_line"} for r in ndjson[1] + array[1]] == [want] * 4


@pytest.mark.parametrize("name, text, line, problem", [
    ("a.log", "ts=2024-03-01T00:00:00Z event=a\nts=2024-03-01T00:00:01Z event=b msg=\"open\n", 2, "is not closed"),
    ("a.log", "ts=2024-03-01T00:00:00Z event=a\nts=2024-03-01T00:00:01Z msg=x\n", 2, "no event name"),
    ("a.log", "event=a level=info\n", 1, "no timestamp"),
    ("a.log", "ts=2024-03-01T00:00:00Z event=a\n" + clf_line(events(1, DAY, 1, "http")[0]) + "\n", 2, "not logfmt"),
    ("a.log", clf_line(events(1, DAY, 1, "http")[0]) + "\nts=1 event=a\n", 2, "not a Combined Log Format line"),
    ("a.log", "just some words\n", 1, "neither logfmt"),
    ("a.log", "ts=2024-03-01T00:00:00 event=a\n", 1, "has no offset"),
    ("a.log", b"ts=1 event=a\nts=2 event=\xff\n", 2, "not valid UTF-8"),
    ("a.csv", "ts,event\n1,a\n2\n", 3, "1 fields where the header has 2"),
    ("a.csv", "ts,event,time\n1,a,2\n", 1, r"ts is given twice \(as columns 'ts' and 'time'\)"),
    ("a.csv", "ts,event,ts\n", 1, "must name every column once"),
    ("a.csv", 'ts,event\n1,"a"b\n', 2, "malformed CSV"),
    ("a.json", '{"ts": 1, "event": "a"}\n[1]\n', 2, "expected a JSON object, found list"),
    ("a.json", '{"ts": 1, "event": "a"}\n{"ts": 2, "event": "b"\n', 2, "not a JSON object"),
    ("a.json", '[{"ts": 1, "event": "a"},\n {"ts": 2}]', 2, "no event name"),
    ("a.json", '"text"', 1, "one object per line or an array"),
    ("a.log.gz", "ts=1 event=a\n", 1, "not gzip-compressed"),
    ("a.log", "", 1, "file is empty"),
    # issue 31: a time past year 9999 in UTC; old Mac line endings (a lone CR)
    ("a.log", "ts=1 event=a\nts=9999-12-31T23:59:59-12:00 event=b\n", 2, r"out of range in UTC \(years 1 to 9999\)"),
    ("a.csv", "ts,event\n9999-12-31T23:59:59-12:00,a\n", 2, "out of range in UTC"),
    ("a.log", "ts=1 event=a\rts=2 event=b\r", 1, r"a carriage return inside the line \(column 13\)"),
])
def test_a_bad_file_is_refused_naming_the_line(tmp_path, name, text, line, problem):
    with pytest.raises(Reject, match=problem) as e:
        read(write(tmp_path, name, text))
    assert e.value.line == line


def test_a_truncated_gzip_is_refused_at_the_line_it_breaks(tmp_path):
    body = "".join(f"ts={i} event=e{i} pad={'x' * 50}\n" for i in range(1, 20_001)).encode()
    whole = gzip.compress(body)
    with pytest.raises(Reject, match="gzip data is corrupt or truncated") as e:
        read(write(tmp_path, "cut.log.gz", whole[: len(whole) // 2]), chunk_rows=1000)
    assert 1 < e.value.line < 20_000


def test_records_are_what_the_kit_typing_gives(tmp_path):
    """The reader types as it parses; the kit's reference coercion, run on its output, changes nothing."""
    typer = Typer(EVENTS, tuple(c.source for c in EVENTS.columns), 1, from_text=False)
    for name, (kind, data, _) in sample_files(DAY).items():
        if kind == "good":
            for r in read(write(tmp_path, name, data))[1]:
                line = r.pop("_line")
                assert coerce_record(typer, r, line) == r


@pytest.mark.parametrize("chunk_rows", [1, 7, 100_000])
def test_lines_are_read_chunk_rows_at_a_time(tmp_path, chunk_rows):
    path = write(tmp_path, "a.log", "".join(f"ts={i} event=e\n" for i in range(1, 51)))
    assert [n for n, _ in raw_lines(path, chunk_rows)] == list(range(1, 51))
    assert len(read(path, chunk_rows)[1]) == 50


def test_the_chunk_size_comes_from_the_environment(tmp_path, monkeypatch):
    from filegate.datasets.events import events_settings
    from filegate.settings import SettingsError

    monkeypatch.setenv("FILEGATE_EVENTS_CHUNK_ROWS", "250")
    assert events_settings().chunk_rows == 250
    monkeypatch.setenv("FILEGATE_EVENTS_CHUNK_ROWS", "0")
    with pytest.raises(SettingsError, match="FILEGATE_EVENTS_CHUNK_ROWS=.0."):
        events_settings()


def peak_reading(path) -> float:
    return peak_rss_mib("from pathlib import Path\nfrom filegate.datasets.events import EventsSettings\n"
                        "from filegate.datasets.events.reader import read_events\n"
                        f"for _ in read_events(Path({str(path)!r}), EventsSettings(chunk_rows=100_000)).chunks: pass\n")


def test_memory_stays_flat_from_a_small_to_a_large_log(tmp_path):
    line = logfmt_line(events(9, DAY, 1, "app")[0], 0) + "\n"
    small, large = tmp_path / "small.log", tmp_path / "large.log"
    small.write_text(line * 150_000)
    with open(large, "w") as f:
        for _ in range(10):
            f.write(line * 150_000)
    assert large.stat().st_size > 150 * 10**6   # ten times the small one
    small_peak, large_peak = peak_reading(small), peak_reading(large)
    assert large_peak < small_peak + 25, (small_peak, large_peak)


@pytest.mark.parametrize("data", [b"\x1f\x8b\x08\x00garbage", gzip.compress(b"ts=1 event=a\n" * 3, mtime=0)[:12]],
                         ids=["garbage", "cut-header"])
def test_a_gzip_file_broken_before_its_first_line_is_refused(tmp_path, data):
    with pytest.raises(Reject, match="gzip data is corrupt or truncated") as e:
        read(write(tmp_path, "a.log.gz", data))
    assert e.value.line == 1


@pytest.mark.parametrize("layout", ["logfmt", "clf"])
def test_issue31_a_long_quoted_value_is_read_in_flat_memory(tmp_path, layout):
    """A quoted value of 8 MB: the old pattern for a quoted value kept a backtracking frame per
    character (1.5 GiB); now the line costs a few copies of itself."""
    long = "x" * 8_000_000 + '\\"' + "y" * 10
    if layout == "logfmt":
        line = f'ts=2026-01-05T01:00:00Z level=info event=login msg="{long}" user=u1\n'
    else:
        line = f'10.0.0.1 - - [05/Jan/2026:01:00:00 +0000] "GET /{long} HTTP/1.1" 200 5\n'
    small, large = tmp_path / "small.log", tmp_path / "large.log"
    small.write_text(line.replace(long, "x"))
    large.write_text(line)
    (event,) = [r for _, records in read_events(large, EventsSettings(chunk_rows=10)).chunks for r in records]
    assert len(json.dumps(event)) > 8_000_000
    assert peak_reading(large) < peak_reading(small) + 120


@pytest.mark.parametrize("name, data, problem", [
    ("blank.log", b"", "file is empty"),
    ("blank.log", b"\n \n\r\n" * 1000, "file holds no events: its 3,000 line(s) are blank"),
])
def test_issue31_a_file_of_blank_lines_is_not_called_empty(tmp_path, name, data, problem):
    with pytest.raises(Reject) as refused:
        read(write(tmp_path, name, data))
    assert refused.value.problem == problem and refused.value.line == 1


def test_issue31_a_gzip_bomb_of_blank_lines_is_refused_as_one(tmp_path):
    from isal import igzip

    path = tmp_path / "bomb.log.gz"
    with igzip.open(path, "wb") as f:
        for _ in range(64):
            f.write(b"\n" * (1 << 20))
    with pytest.raises(Reject, match="expands over 200 times its size .* refused as a decompression bomb"):
        read(path)
