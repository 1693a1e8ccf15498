"""Streaming readers for record files: CSV/TSV (delimiter detected), NDJSON, JSON arrays.

`read_records` gives `(line, record)`, where `record` is a dict of source column name to value
and `line` is where the record starts. The `*_batches` readers underneath give the same in runs
of up to BATCH records, `(lines, records)`, so that parsing runs in C over whole runs; CSV rows
come as lists after the header. Memory is bounded by one run, whatever the file size. A file
that cannot be read as records raises `Reject` with the line and the problem.
"""
from __future__ import annotations

import csv
import json
from itertools import chain, islice
from pathlib import Path
from typing import Iterator

from filegate.errors import Reject

DELIMITERS = (",", ";", "\t", "|")
BATCH = 5_000
LINE_LIMIT = 1 << 20   # the one-element-per-line JSON array path reads lines no longer than this
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
        batches = read_csv_batches(path)
        header = next(batches)
        return ((line, dict(zip(header, row))) for lines, rows in batches for line, row in zip(lines, rows))
    batches = read_ndjson_batches(path) if kind == "ndjson" else read_json_array_batches(path)
    return ((line, record) for lines, records in batches for line, record in zip(lines, records))


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


def read_csv_batches(path: Path) -> Iterator:
    """The header (a list of names) first, then `(lines, rows)` runs; blank lines are skipped.

    The C parser reads each run of whole lines at once. A run holding a record that spans lines,
    a wrong number of fields or malformed CSV is read again row by row (`_csv_rows_one_by_one`),
    which knows every row's line and so names it in the Reject.
    """
    with open(path, encoding="utf-8-sig", newline="") as f:
        try:   # text is decoded a block ahead: the line of a bad byte is found by `_not_utf8`
            header_line = f.readline()
        except UnicodeDecodeError as e:
            raise _not_utf8(path, e) from None
        delimiter = sniff_delimiter(header_line)
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        header = [h.strip() for h in header]
        if not header or any(not h for h in header) or len(set(header)) != len(header):
            raise Reject(1, f"header must name every column once, found {header}")
        yield header
        width, done = len(header), 1   # lines consumed so far
        while True:
            try:
                chunk = list(islice(f, BATCH))
            except UnicodeDecodeError as e:
                raise _not_utf8(path, e) from None
            if not chunk:
                return
            try:
                rows = list(csv.reader(chunk, delimiter=delimiter, strict=True))
            except csv.Error:
                rows = None
            if rows is not None and width > 1 and len(rows) == len(chunk) and \
                    all(len(row) == width for row in rows):   # the common case: one line, one row
                yield range(done + 1, done + 1 + len(rows)), rows
                done += len(chunk)
            else:
                lines, rows, used = _csv_rows_one_by_one(chunk, f, done, delimiter, width)
                done += used
                if rows:
                    yield lines, rows


def _csv_rows_one_by_one(chunk: list[str], f, done: int, delimiter: str, width: int):
    """Rows of `chunk` with their lines, reading on from `f` if its last record continues there;
    returns (lines, rows, physical lines used)."""
    reader = csv.reader(chain(chunk, f), delimiter=delimiter, strict=True)
    path = Path(f.name)
    lines, rows, used = [], [], 0
    try:
        while used < len(chunk):
            row = next(reader)
            start, used = done + used + 1, reader.line_num
            if not row or row == [""]:   # a blank line
                continue
            if len(row) != width:
                raise Reject(start, f"{len(row)} fields, the header has {width} (delimiter {delimiter!r})")
            lines.append(start)
            rows.append(row)
    except csv.Error as e:
        raise Reject(done + used + 1, f"malformed CSV: {e}") from None
    except UnicodeDecodeError as e:
        raise _not_utf8(path, e) from None
    return lines, rows, used


def _not_utf8(path: Path, error: UnicodeDecodeError) -> Reject:
    """The Reject for a file that is not UTF-8, naming the first line holding a bad byte."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return Reject(number, f"bytes are not valid UTF-8 ({error.reason})")
    return Reject(1, f"bytes are not valid UTF-8 ({error.reason})")


def read_ndjson_batches(path: Path) -> Iterator[tuple[range | list[int], list[dict]]]:
    import orjson

    loads = orjson.loads
    with open(path, "rb") as f:
        done = 0
        while chunk := list(islice(f, BATCH)):
            if done == 0:
                chunk[0] = chunk[0].removeprefix(b"\xef\xbb\xbf")
            try:
                records = [loads(raw) for raw in chunk]   # a blank line raises too: see below
                if all(type(r) is dict for r in records):
                    yield range(done + 1, done + 1 + len(chunk)), records
                    done += len(chunk)
                    continue
            except orjson.JSONDecodeError:
                pass
            lines, records = [], []
            for number, raw in enumerate(chunk, start=done + 1):
                if not raw.strip():
                    continue
                try:
                    record = loads(raw)
                except orjson.JSONDecodeError as e:
                    raise Reject(number, f"not a JSON object: {e}") from None
                if not isinstance(record, dict):
                    raise Reject(number, f"expected a JSON object, found {type(record).__name__}")
                lines.append(number)
                records.append(record)
            done += len(chunk)
            if records:
                yield lines, records


def read_json_array_batches(path: Path) -> Iterator[tuple[list[int], list[dict]]]:
    """Runs of a JSON array's elements. The common layout, `[` alone on the first line and then
    one `{...},` per line, is parsed a run of lines at a time; from the first line that is
    anything else on, the general reader (`read_json_array`) carries on where it stopped."""
    import orjson

    resume = None
    try:
        with open(path, "rb") as f:
            first = f.readline(LINE_LIMIT)
            if first.removeprefix(b"\xef\xbb\xbf").strip() == b"[":
                offset, done = len(first), 1
                while chunk := _lines(f, BATCH):
                    texts = [raw.strip() for raw in chunk]
                    n = 0   # the leading lines that are each exactly one element and its comma
                    while n < len(texts) and texts[n][:1] == b"{" and texts[n][-2:] == b"},":
                        n += 1
                    try:
                        records = [orjson.loads(t[:-1]) for t in texts[:n]]
                    except orjson.JSONDecodeError:
                        n, records = 0, []   # let the general reader decide (and name the fault)
                    if n and all(type(r) is dict for r in records):
                        yield list(range(done + 1, done + 1 + n)), records
                        offset += sum(map(len, chunk[:n]))
                        done += n
                    if n < len(chunk) or not records:
                        break
                resume = (offset, done + 1)
        lines, records = [], []
        for line, record in read_json_array(path, resume):
            lines.append(line)
            records.append(record)
            if len(records) == BATCH:
                yield lines, records
                lines, records = [], []
    except UnicodeDecodeError as e:
        raise _not_utf8(path, e) from None
    if records:
        yield lines, records


def _lines(f, n: int) -> list[bytes]:
    """Up to `n` lines, none longer than LINE_LIMIT (a longer one ends the list, cut: it is left
    to the general reader, as is whatever follows it)."""
    lines = []
    while len(lines) < n and (raw := f.readline(LINE_LIMIT)):
        lines.append(raw)
        if raw[-1:] != b"\n":
            break
    return lines


def read_json_array(path: Path, resume: tuple[int, int] | None = None) -> Iterator[tuple[int, dict]]:
    """Stream the elements of a top-level JSON array without loading the file.

    The C decoder's raw_decode parses one element at a time from a rolling buffer; an element
    cut by the buffer's end is retried with more data. `resume` = (byte offset, line) starts at a
    line where an element (or the array's end) is expected, after `[` or a comma.
    """
    import io

    decoder = json.JSONDecoder()
    raw = open(path, "rb")
    if resume is not None:
        raw.seek(resume[0])
    with io.TextIOWrapper(raw, encoding="utf-8-sig" if resume is None else "utf-8") as f:
        buf = f.read(CHUNK)
        if resume is None:
            pos = buf.index("[") + 1
            line = 1 + buf.count("\n", 0, pos)
        else:
            pos, line = 0, resume[1]
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

