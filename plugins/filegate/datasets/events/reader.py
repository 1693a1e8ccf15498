"""events reader: `.log` (logfmt or Combined Log Format), `.csv` and `.json` (NDJSON or an array),
each optionally gzip-compressed (`.log.gz`, ...), to events (`normalize`).

Lines are read in blocks of FILEGATE_EVENTS_CHUNK_ROWS (the seed read 100,000 at a time) as raw
text; they are parsed one by one and handed on 5,000 events at a time (the kit's chunks), so memory
holds one block's raw text and a few thousand events, whatever the file size. A JSON array, possibly one line of gigabytes, is
streamed element by element instead. The first line that cannot be read refuses the file whole,
naming the line and the problem. Records come out typed (as the kit's coercion would type them: a
test holds the two equal), so no second typing pass runs.
"""
from __future__ import annotations

import csv
from itertools import islice
from pathlib import Path
from typing import IO, Any, Iterator

from filegate.datasets.events.logs import clf, is_clf, is_logfmt, logfmt
from filegate.datasets.events.normalize import ALIASES, event_from_pairs, finish
from filegate.datasets.events.settings import EventsSettings, events_settings
from filegate.kit.errors import Reject, excerpt
from filegate.kit.parsed import ParsedFile
from filegate.kit.readers.lines import text_line

KINDS = (".log", ".csv", ".json")
Events = Iterator[tuple[str, int, dict]]   # ("events", line, event): ParsedFile.from_records hands them on in chunks


def kind_of(path: Path) -> str:
    """'.log', '.csv' or '.json' from the name (a `.gz` after it means compressed); Reject otherwise."""
    name = path.name.lower().removesuffix(".gz")
    for kind in KINDS:
        if name.endswith(kind):
            return kind
    raise Reject(None, "not an events file: expected *.log, *.csv or *.json, each optionally .gz")


def read_events(path: Path, settings: EventsSettings | None = None) -> ParsedFile:
    """The dataset's reader (`Dataset.reader`), handed events' own settings (None: from the environment)."""
    from filegate.kit.readers import Gunzipped, open_bytes

    chunk_rows = (settings or events_settings()).chunk_rows
    kind = kind_of(path)
    with open_bytes(path) as f:   # gzip cut short or corrupt: refused at its line by open_bytes
        compressed = isinstance(f, Gunzipped)
        if path.name.lower().endswith(".gz") and not compressed:
            raise Reject(1, "the name ends in .gz but the file is not gzip-compressed")
        first, blank = _first_line(f)
    if first is None:
        raise Reject(1, f"file holds no events: its {blank:,} line(s) are blank" if blank else "file is empty")
    lines = raw_lines(path, chunk_rows)
    if kind == ".log":
        if is_clf(first):
            form, events = "clf", log_events(lines, "clf")
        elif is_logfmt(first):
            form, events = "logfmt", log_events(lines, "logfmt")
        else:
            raise Reject(1, f"the first line is neither logfmt (key=value ...) nor the Combined Log Format: "
                            f"{excerpt(first)}")
    elif kind == ".csv":
        form, events = "csv", csv_events(lines)
    elif first.lstrip("\ufeff \t")[:1] == "[":
        form, events = "json-array", json_array_events(path)
    elif first.lstrip("\ufeff \t")[:1] == "{":
        form, events = "ndjson", ndjson_events(lines)
    else:
        raise Reject(1, f"a .json file must hold one object per line or an array of objects, found {excerpt(first[:20])}")
    sort_key = f"{path.stat().st_mtime_ns:020d}|{path.name}"
    return ParsedFile.from_records({"format": form, "compressed": compressed}, sort_key, events)


def _first_line(f: IO[bytes]) -> tuple[str | None, int]:
    """The first non-blank line (decoded leniently: only for telling the grammar), or None, and
    how many blank lines came before it."""
    from filegate.kit.readers.limits import MAX_LINE

    blank = 0
    for raw in iter(lambda: f.readline(MAX_LINE), b""):
        text = raw.decode("utf-8", "replace").strip()
        if text:
            return text, blank
        blank += 1
    return None, blank


def raw_lines(path: Path, chunk_rows: int) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) from `chunk_rows` lines read at a time; a line longer than MAX_LINE,
    or corrupt gzip data, refuses the file at its line."""
    from filegate.kit.readers import bounded_lines, open_bytes

    done = 0
    with open_bytes(path) as f:
        source = bounded_lines(f, b"")
        while True:
            block = list(islice(source, chunk_rows))
            if not block:
                return
            yield from enumerate(block, start=done + 1)
            done += len(block)


def log_events(lines: Iterator[tuple[int, bytes]], grammar: str) -> Events:
    for number, raw in lines:
        text = text_line(number, raw).rstrip("\r\n")
        if number == 1:
            text = text.lstrip("\ufeff")
        if not text or text.isspace():
            continue
        if (cr := text.find("\r")) >= 0:   # old Mac endings: the whole file would read as one line
            raise Reject(number, f"a carriage return inside the line (column {cr + 1}): lines end with \\n or "
                                 "\\r\\n, never a lone \\r")
        try:
            event = clf(text) if grammar == "clf" else event_from_pairs(logfmt(text))
        except ValueError as e:
            raise Reject(number, str(e)) from None
        yield "events", number, event


def csv_events(lines: Iterator[tuple[int, bytes]]) -> Events:
    """A header row, then one event per row: known columns by their names, every other column an
    attribute (an empty field: the attribute is absent, as CSV cannot tell empty from missing)."""
    from filegate.kit.readers import csv_reader

    texts = (text_line(number, raw) for number, raw in lines)
    reader = csv_reader(texts, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as e:
        raise Reject(1, f"malformed CSV header: {e}") from None
    header = [h.strip().lstrip("\ufeff") for h in header or []]
    if not header or any(not h for h in header) or len(set(header)) != len(header):
        raise Reject(1, f"the header must name every column once, found {excerpt(header)}")
    known: list[tuple[int, str]] = []
    attributes: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    for i, name in enumerate(header):
        field = ALIASES.get(name) or ALIASES.get(name.lower())
        if field is None:
            attributes.append((i, name))
        elif field in seen:
            raise Reject(1, f"{field} is given twice (as columns {seen[field]!r} and {name!r})")
        else:
            seen[field] = name
            known.append((i, field))
    width, last = len(header), reader.line_num
    while True:
        try:
            row = next(reader, None)
        except csv.Error as e:
            raise Reject(last + 1, f"malformed CSV: {e}") from None
        if row is None:
            break
        number, last = last + 1, reader.line_num
        if not row:
            continue   # a blank line
        if len(row) != width:
            raise Reject(number, f"{len(row)} fields where the header has {width}")
        event: dict[str, Any] = {"ts": None, "level": None, "event": None, "user_id": None, "session_id": None,
                                 "message": None}
        for i, field in known:
            event[field] = row[i]
        try:
            event = finish(event, {name: row[i] for i, name in attributes if row[i] != ""})
        except ValueError as e:
            raise Reject(number, str(e)) from None
        yield "events", number, event


def ndjson_events(lines: Iterator[tuple[int, bytes]]) -> Events:
    """One JSON object per line, by the kit's JSON rules (`jsontext`: no key given twice, no NaN,
    numbers as spelled)."""
    import msgspec

    from filegate.kit import jsontext
    from filegate.kit.readers import json_object

    decode, unique = jsontext.fast().decode, jsontext.unique_keys
    for number, raw in lines:
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        try:
            record = decode(raw)
            if type(record) is not dict or not unique(raw, [record]):
                record = None
        except (msgspec.DecodeError, ValueError, RecursionError):
            record = None
        if record is None:   # the fast path cannot vouch for it: the exact reader names the problem
            record = json_object(number, raw)
        try:
            event = event_from_pairs(record.items())
        except ValueError as e:
            raise Reject(number, str(e)) from None
        yield "events", number, event


def json_array_events(path: Path) -> Events:
    """The elements of an array, streamed."""
    from filegate.kit.readers import read_json_array_chunks

    for lines, records in read_json_array_chunks(path):
        for number, record in zip(lines, records):
            try:
                event = event_from_pairs(record.items())
            except ValueError as e:
                raise Reject(number, str(e)) from None
            yield "events", number, event
