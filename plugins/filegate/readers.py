"""Streaming readers for record files: CSV/TSV (delimiter detected), NDJSON, JSON arrays.

Each reader is a generator of `(line, record)`, where `record` is a dict of source column name
to value and `line` is where the record starts. Memory is bounded by one record (plus a read
buffer), whatever the file size. A file that cannot be read as records raises `Reject` with
the line and the problem.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterator

from filegate.errors import Reject

DELIMITERS = (",", ";", "\t", "|")
CHUNK = 1 << 20
MAX_RECORD_BYTES = 64 << 20   # a JSON array element larger than this is refused, not buffered forever

csv.field_size_limit(MAX_RECORD_BYTES)


def detect_format(path: Path) -> str:
    """'csv', 'ndjson' or 'json-array', from the first bytes (the extension only breaks ties)."""
    with open(path, "rb") as f:
        head = f.read(CHUNK)
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise Reject(1, "file is empty")
    if text[:1] == b"[":
        return "json-array"
    if text[:1] == b"{":
        first = text.split(b"\n", 1)[0].strip()
        try:
            if isinstance(json.loads(first), dict):
                return "ndjson"
        except ValueError:
            pass
        raise Reject(1, "JSON that is neither one object per line nor an array of objects")
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        raise Reject(1, f"a {path.suffix} file must hold JSON objects or an array, found {text[:20]!r}")
    return "csv"


def read_records(path: Path) -> Iterator[tuple[int, dict]]:
    kind = detect_format(path)
    if kind == "csv":
        return read_csv(path)
    if kind == "ndjson":
        return read_ndjson(path)
    return read_json_array(path)


def sniff_delimiter(header: str) -> str:
    """The delimiter a person would see in the header line: the most frequent candidate outside
    quotes. Ambiguity is refused rather than guessed."""
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    (best, n), (_, runner_up) = ranked[0], ranked[1]
    if n == 0:
        return ","   # a one-column file
    if n == runner_up:
        raise Reject(1, f"cannot tell the delimiter from the header: {dict(ranked)}")
    return best


def read_csv(path: Path) -> Iterator[tuple[int, dict]]:
    rows = read_csv_rows(path)
    _, header = next(rows)
    for line, row in rows:
        yield line, dict(zip(header, row))


def read_csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The rows as lists, the header first (line 1): `read_csv` without building a dict per row,
    for callers that map columns by position."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        try:
            header_line = f.readline()
        except UnicodeDecodeError as e:
            raise Reject(1, f"bytes are not valid UTF-8 ({e.reason})") from None
        delimiter = sniff_delimiter(header_line)
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        header = [h.strip() for h in header]
        if not header or any(not h for h in header) or len(set(header)) != len(header):
            raise Reject(1, f"header must name every column once, found {header}")
        yield 1, header
        width = len(header)
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        reader_line = 1
        try:
            for row in reader:
                start, reader_line = reader_line + 1, reader.line_num + 1
                if len(row) != width or (width == 1 and row == [""]):
                    if not row or row == [""]:   # a blank line
                        continue
                    raise Reject(start, f"{len(row)} fields, the header has {width} "
                                        f"(delimiter {delimiter!r})")
                yield start, row
        except csv.Error as e:
            raise Reject(reader_line, f"malformed CSV: {e}") from None
        except UnicodeDecodeError as e:
            raise Reject(reader_line, f"bytes are not valid UTF-8 ({e.reason})") from None


def read_ndjson(path: Path) -> Iterator[tuple[int, dict]]:
    import orjson

    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as e:
                raise Reject(number, f"not a JSON object: {e}") from None
            if not isinstance(record, dict):
                raise Reject(number, f"expected a JSON object, found {type(record).__name__}")
            yield number, record


def read_json_array(path: Path) -> Iterator[tuple[int, dict]]:
    """Stream the elements of a top-level JSON array without loading the file.

    The C decoder's raw_decode parses one element at a time from a rolling buffer; an element
    cut by the buffer's end is retried with more data.
    """
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8-sig") as f:
        buf = f.read(CHUNK)
        pos = buf.index("[") + 1
        line = 1 + buf.count("\n", 0, pos)
        eof = False
        expect_value = True
        while True:
            # skip whitespace and one comma between elements, counting lines
            while True:
                if pos >= len(buf):
                    if eof:
                        raise Reject(line, "the JSON array is not closed (truncated file?)")
                    more = f.read(CHUNK)
                    eof = not more
                    buf, pos = buf[pos:] + more, 0
                    continue
                ch = buf[pos]
                if ch in " \t\r\n":
                    line += ch == "\n"
                    pos += 1
                elif ch == "," and not expect_value:
                    expect_value = True
                    pos += 1
                else:
                    break
            if buf[pos] == "]":
                rest = buf[pos + 1:]
                while not rest.strip() and (rest := f.read(CHUNK)):
                    pass   # trailing whitespace, read a chunk at a time
                if rest.strip():
                    raise Reject(line, "data after the end of the JSON array")
                return
            if not expect_value:
                raise Reject(line, f"expected ',' or ']' between array elements, found {buf[pos]!r}")
            while True:
                try:
                    record, end = decoder.raw_decode(buf, pos)
                    break
                except json.JSONDecodeError as e:
                    if eof or len(buf) - pos > MAX_RECORD_BYTES:
                        raise Reject(line + buf.count("\n", pos, e.pos), f"malformed JSON: {e.msg}") from None
                    more = f.read(CHUNK)
                    eof = not more
                    buf, pos = buf[pos:] + more, 0
            if not isinstance(record, dict):
                raise Reject(line, f"array elements must be objects, found {type(record).__name__}")
            yield line, record
            line += buf.count("\n", pos, end)
            pos = end
            expect_value = False
            if pos > CHUNK:   # drop what was consumed
                buf, pos = buf[pos:], 0

