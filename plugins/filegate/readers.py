"""Streaming readers for record files: CSV/TSV (delimiter detected), NDJSON, JSON arrays.

`read_records` gives `(line, record)`, where `record` is a dict of source column name to value
and `line` is where the record starts. The `*_chunks` readers underneath give the same in chunks
of up to CHUNK records, `(lines, records)`, so that parsing runs in C over whole chunks; CSV rows
come as lists after the header. `DocumentRecords` streams the records of an array inside a JSON
document (`{"status": {...}, "property": [...]}`), keeping the rest of the document as its
envelope. Memory is bounded by one chunk (or one record of at most MAX_RECORD_BYTES), whatever
the file size. A file that cannot be read as records raises `Reject` with the line and the problem.

Every reader reads through `open_bytes`: a gzip-compressed file is read as its content.
"""
from __future__ import annotations

import csv
import io
import json
import re
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Iterator

from filegate import jsontext
from filegate.errors import Reject, excerpt

DELIMITERS = (",", ";", "\t", "|")
CHUNK = 5_000
LINE_LIMIT = 1 << 20   # the one-element-per-line JSON array path reads lines no longer than this
CHUNK_BYTES = 1 << 20
MAX_RECORD_BYTES = 64 << 20   # a JSON array element larger than this is refused, not buffered forever
MAX_LINE = MAX_RECORD_BYTES   # a line longer than this (CSV, NDJSON) is refused, not read whole
# A gzip file expanding past MAX_RATIO times its size, once BOMB_FLOOR is out, is a bomb (blank or
# repeated data: it would cost minutes in per-line loops); real exports compress 5-20x, gzip at most ~1032x.
MAX_RATIO = 200
BOMB_FLOOR = 16 << 20
_OPEN = re.compile(rb"\{")



def csv_reader(lines, **options):
    """`csv.reader` whose fields may be as long as a line may (its default limit is 128 KiB). The
    limit is the csv module's, process-wide: set by whoever reads CSV, when they do, not at import."""
    csv.field_size_limit(MAX_RECORD_BYTES)
    return csv.reader(lines, **options)


GZIP_MAGIC = b"\x1f\x8b"


def open_bytes(path: Path):
    """The file opened for binary reading; gzip (known by its first two bytes) is decompressed on
    the fly (`Gunzipped`)."""
    with open(path, "rb") as f:
        compressed = f.read(2) == GZIP_MAGIC
    return Gunzipped(path) if compressed else open(path, "rb")


class Gunzipped(io.BufferedIOBase):
    """A gzip file read as its content by ISA-L, counting the lines it hands out, so that data cut
    short or corrupt refuses the file (Reject) at the line where it breaks. It seeks forward by
    reading on, backward by starting again."""

    def __init__(self, path: Path):
        from isal import igzip, igzip_lib

        super().__init__()
        self._file = igzip.open(path, "rb")
        self._broken: tuple = (EOFError, igzip.BadGzipFile, igzip_lib.IsalError)   # what a cut or corrupt stream raises
        self._at = self._lines = 0   # bytes and whole lines handed out
        self._budget = max(BOMB_FLOOR, MAX_RATIO * path.stat().st_size)   # bytes it may expand to

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._counted(self._file.read, size)

    def read1(self, size: int = -1) -> bytes:
        return self._counted(self._file.read1, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self._file.readline, size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence != 0:
            raise io.UnsupportedOperation("only absolute seeks")
        if offset < self._at:
            self._file.seek(0)
            self._at = self._lines = 0
        while self._at < offset and self.read(min(CHUNK_BYTES, offset - self._at)):
            pass
        return self._at

    def close(self) -> None:
        self._file.close()
        super().close()

    def _counted(self, read, size) -> bytes:
        try:
            data = read(-1 if size is None else size)
        except self._broken as e:
            raise Reject(self._lines + 1, f"the gzip data is corrupt or truncated ({e})") from None
        self._at += len(data)
        self._lines += data.count(b"\n")
        if self._at > self._budget:
            raise Reject(self._lines + 1, f"the gzip data expands over {MAX_RATIO} times its size "
                                          f"({self._at:,} bytes so far): refused as a decompression bomb")
        return data


def detect_format(path: Path) -> str:
    """'csv', 'ndjson' or 'json-array', from the first bytes (the extension only breaks ties)."""
    with open_bytes(path) as f:
        head = f.read(CHUNK_BYTES)
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        blank, lines = len(head) - len(text), head.count(b"\n")
        while not text and head:   # a file of whitespace: read on, a chunk at a time, to tell it from an empty one
            head = f.read(CHUNK_BYTES)
            text = head.lstrip()
            blank, lines = blank + len(head) - len(text), lines + head[:len(head) - len(text)].count(b"\n")
    if not text:
        raise Reject(1, "file is empty" if not blank else
                     f"file holds no records: only whitespace ({blank:,} bytes, {lines:,} line breaks)")
    if text[:1] == b"[":
        return "json-array"
    if text[:1] == b"{":
        first = text.split(b"\n", 1)[0]
        if jsontext.decode_lines([first]) is not None:
            return "ndjson"
        try:
            jsontext.exact(first)
            return "ndjson"   # one object on the first line: the reader judges the rest (and names lines)
        except (ValueError, UnicodeDecodeError) as e:
            why = f" ({e.msg})" if isinstance(e, json.JSONDecodeError) else f" ({e})"
        raise Reject(1, f"JSON that is neither one object per line nor an array of objects{why}")
    suffix = Path(path.name.removesuffix(".gz")).suffix.lower()
    if suffix in (".json", ".jsonl", ".ndjson"):
        raise Reject(1, f"a {suffix} file must hold JSON objects or an array, found {text[:20]!r}")
    return "csv"


def read_records(path: Path) -> Iterator[tuple[int, dict]]:
    kind = detect_format(path)
    if kind == "csv":
        chunks = read_csv_chunks(path)
        header = next(chunks)
        return ((line, dict(zip(header, row))) for lines, rows in chunks for line, row in zip(lines, rows))
    chunks = read_ndjson_chunks(path) if kind == "ndjson" else read_json_array_chunks(path)
    return ((line, record) for lines, records in chunks for line, record in zip(lines, records))


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


def read_csv_chunks(path: Path) -> Iterator:
    """The header (a list of names) first, then `(lines, rows)` runs; blank lines are skipped.

    The C parser reads each run of whole lines at once. A run holding a record that spans lines,
    a wrong number of fields or malformed CSV is read again row by row (`_csv_rows_one_by_one`),
    which knows every row's line and so names it in the Reject.
    """
    with io.TextIOWrapper(open_bytes(path), encoding="utf-8-sig", newline="") as f:
        try:   # text is decoded a block ahead: the line of a bad byte is found by `_not_utf8`
            header_line = next(bounded_lines(f, ""), "")
        except UnicodeDecodeError as e:
            raise _not_utf8(path, e) from None
        delimiter = sniff_delimiter(header_line)
        try:
            header: list[str] = next(csv_reader([header_line], delimiter=delimiter, strict=True), [])
        except csv.Error as e:
            raise Reject(1, f"malformed CSV header: {e}") from None
        header = [h.strip() for h in header]
        if not header or any(not h for h in header) or len(set(header)) != len(header):
            raise Reject(1, f"header must name every column once, found {excerpt(header)}")
        yield header
        width, done = len(header), 1   # lines consumed so far
        lines = bounded_lines(f, "", first=2)
        while True:
            try:
                chunk = list(islice(lines, CHUNK))
            except UnicodeDecodeError as e:
                raise _not_utf8(path, e) from None
            if not chunk:
                return
            try:
                rows = list(csv_reader(chunk, delimiter=delimiter, strict=True))
            except csv.Error:
                rows = None
            if rows is not None and width > 1 and len(rows) == len(chunk) and \
                    all(len(row) == width for row in rows):   # the common case: one line, one row
                yield range(done + 1, done + 1 + len(rows)), rows
                done += len(chunk)
            else:
                numbers, rows, used = _csv_rows_one_by_one(chunk, lines, path, done, delimiter, width)
                done += used
                if rows:
                    yield numbers, rows


def _csv_rows_one_by_one(chunk: list[str], more, path: Path, done: int, delimiter: str, width: int):
    """Rows of `chunk` with their lines, reading on from the lines `more` if its last record
    continues there; returns (lines, rows, physical lines used)."""
    reader = csv_reader(chain(chunk, more), delimiter=delimiter, strict=True)
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
    """The Reject for a file that is not UTF-8, naming the first line holding a bad byte (found
    block by block: the file may be one endless line)."""
    import codecs

    decoder, line = codecs.getincrementaldecoder("utf-8")(), 1
    with open_bytes(path) as f:
        for block in chain(iter(partial(f.read, 1 << 20), b""), [None]):
            try:
                decoder.decode(block or b"", final=block is None)
            except UnicodeDecodeError as e:   # e.object: the few bytes held back (no newline), then the block
                return Reject(line + e.object.count(b"\n", 0, e.start), f"bytes are not valid UTF-8 ({e.reason})")
            if block is not None:
                line += block.count(b"\n")
    return Reject(1, f"bytes are not valid UTF-8 ({error.reason})")


def bounded_lines(f, empty: str | bytes, first: int = 1) -> Iterator:
    """The lines of `f` (text or binary; `first`: the number of the next line); a line longer than
    MAX_LINE is refused as soon as that much of it is read, never read whole."""
    for number, line in enumerate(iter(partial(f.readline, MAX_LINE + 1), empty), start=first):
        if len(line) > MAX_LINE:
            raise Reject(number, f"a line longer than {MAX_LINE >> 20} MiB: refused rather than read whole")
        yield line


def read_ndjson_chunks(path: Path) -> Iterator[tuple[range | list[int], list[dict]]]:
    """One JSON object per line, CHUNK lines at a time, decoded by `jsontext`'s rules (a chunk it
    cannot vouch for is read line by line, and the first bad line named)."""
    with open_bytes(path) as f:
        done, source = 0, bounded_lines(f, b"")
        while chunk := list(islice(source, CHUNK)):
            if done == 0:
                chunk[0] = chunk[0].removeprefix(b"\xef\xbb\xbf")
            records = jsontext.decode_lines(chunk)
            if records is not None and all(type(r) is dict for r in records):
                yield range(done + 1, done + 1 + len(chunk)), records
                done += len(chunk)
                continue
            lines, records = [], []
            for number, raw in enumerate(chunk, start=done + 1):
                if not raw.strip():
                    continue
                lines.append(number)
                records.append(json_object(number, raw))
            done += len(chunk)
            if records:
                yield lines, records


def json_object(number: int, raw: bytes | str) -> dict:
    """Line `number`'s one JSON object, by `jsontext.exact`; Reject naming the line otherwise."""
    try:
        record = jsontext.exact(raw)
    except UnicodeDecodeError as e:
        raise Reject(number, f"bytes are not valid UTF-8 ({e.reason})") from None
    except json.JSONDecodeError as e:
        raise Reject(number, f"not a JSON object: {e.msg} (column {e.colno})") from None
    except jsontext.Problem as e:
        raise Reject(number, str(e)) from None
    if type(record) is not dict:
        raise Reject(number, f"expected a JSON object, found {type(record).__name__}")
    return record


def read_json_array_chunks(path: Path) -> Iterator[tuple[list[int], list[dict]]]:
    """Chunks of a JSON array's elements, by the fastest path that fits, each handing over to the
    next where it cannot go on:

    1. `[` alone on the first line, then one `{...},` per line: a run of lines at a time (`_per_line`);
    2. objects without nested objects, in any layout (one line of gigabytes, pretty-printed): a
       block of bytes at a time, parsed whole by msgspec up to its last element (`_flat_blocks`);
    3. anything else, and every fault: the general reader (`read_json_array`), which names the line.
    """
    resume = None   # (byte offset, line, state) where the array's reading goes on (see `array_elements`)
    try:
        with open_bytes(path) as f:
            resume = yield from _per_line(f)
            if resume is not None:
                resume = yield from _flat_blocks(f, *resume)
        if resume is _ENDED:
            return
        lines, records = [], []
        for line, record in read_json_array(path, resume):
            lines.append(line)
            records.append(record)
            if len(records) == CHUNK:
                yield lines, records
                lines, records = [], []
    except UnicodeDecodeError as e:
        raise _not_utf8(path, e) from None
    if records:
        yield lines, records


_ENDED = (-1, -1, "ended")   # the array and the file ended cleanly


def _per_line(f):
    """Path 1; returns where it stopped, or None when the file does not open with `[` (then the
    general reader starts from the beginning, and names the fault)."""
    first = f.readline(LINE_LIMIT)
    if first.removeprefix(b"\xef\xbb\xbf").strip() != b"[":
        f.seek(0)
        head = f.read(CHUNK_BYTES)
        text = head.removeprefix(b"\xef\xbb\xbf")
        start = len(head) - len(text.lstrip(_SPACE))
        if head[start:start + 1] != b"[":
            return None
        return start + 1, 1 + head.count(b"\n", 0, start), "first"
    offset, done = len(first), 1
    while chunk := _lines(f, CHUNK):
        texts = [raw.strip() for raw in chunk]
        n = 0   # the leading lines that are each exactly one element and its comma
        while n < len(texts) and texts[n][:1] == b"{" and texts[n][-2:] == b"},":
            n += 1
        records = jsontext.decode_lines([t[:-1] + b"\n" for t in texts[:n]]) if n else []
        if records is None:
            n, records = 0, []   # let the next path decide (and, on a fault, the general reader name it)
        if n and all(type(r) is dict for r in records):
            yield list(range(done + 1, done + 1 + n)), records
            offset += sum(map(len, chunk[:n]))
            done += n
        if n < len(chunk) or not records:
            break
    return offset, done + 1, "first" if offset == len(first) else "next"


_SPACE = b" \t\r\n"
_NOT_SPACE = re.compile(r"[^ \t\r\n]")


def _flat_blocks(f, offset: int, line: int, state: str):
    """Path 2, from `offset` (at `line`) where an element is expected ("first": or the array's end).

    A block of bytes is cut after its last `}` and parsed whole as `[` + block + `]`. When that
    parses, the block held whole elements and only those: a cut inside a string, or inside an
    element, cannot parse. When the elements are objects and the block holds no other `{` (no
    nested object, none in a string), each element starts at a `{`, which gives its line. Returns _ENDED when the array and the
    file end cleanly, else where the general reader must carry on."""
    import msgspec

    decode = jsontext.fast().decode
    f.seek(offset)
    buf, eof = b"", False
    while True:
        if not eof and len(buf) < CHUNK_BYTES:
            more = f.read(CHUNK_BYTES)
            eof = not more
            buf += more
        i = 0   # between elements: white space, then `]`, or (after a comma) an element
        while i < len(buf) and buf[i] in _SPACE:
            i += 1
        if i == len(buf) and not eof:
            continue
        line += buf.count(b"\n", 0, i)
        offset, buf = offset + i, buf[i:]
        if buf[:1] == b"]" and state == "first":
            rest = buf[1:]
            while not rest.strip(_SPACE):   # only white space may follow the array
                rest = f.read(CHUNK_BYTES)
                if not rest:
                    return _ENDED
            return offset, line, state
        cut = buf.rfind(b"}") + 1
        if not cut:
            if eof or len(buf) > MAX_RECORD_BYTES:
                return offset, line, state
            buf += f.read(CHUNK_BYTES)   # an element longer than the block so far
            continue
        block = buf[:cut]
        try:
            records = decode(b"[" + block + b"]")
        except (msgspec.DecodeError, ValueError, RecursionError):
            return offset, line, state   # a cut inside an element, or a fault: the general reader decides
        # as many `{` as elements, each an object: so no `{` elsewhere, and each one starts an element
        if not records or block.count(b"{") != len(records) or not all(type(r) is dict for r in records) \
                or not jsontext.unique_keys(block, records):
            return offset, line, state
        if b"\n" in block:
            starts, at, lines = [], line, 0
            for match in _OPEN.finditer(block):
                at += block.count(b"\n", lines, match.start())
                lines = match.start()
                starts.append(at)
            line = at + block.count(b"\n", lines)
        else:
            starts = [line] * len(records)
        for k in range(0, len(records), CHUNK):
            yield starts[k:k + CHUNK], records[k:k + CHUNK]
        offset, buf = offset + cut, buf[cut:]
        j = 0   # after an element: white space, then `,` or `]`
        while True:
            while j < len(buf) and buf[j] in _SPACE:
                j += 1
            if j < len(buf) or eof:
                break
            more = f.read(CHUNK_BYTES)
            eof = not more
            buf += more
        if buf[j:j + 1] == b",":
            line += buf.count(b"\n", 0, j + 1)
            offset, buf, state = offset + j + 1, buf[j + 1:], "next"
        elif buf[j:j + 1] == b"]":
            state = "first"   # then only the array's end is read: as after `[`
        else:
            return offset, line, "after"


def _lines(f, n: int) -> list[bytes]:
    """Up to `n` lines, none longer than LINE_LIMIT (a longer one ends the list, cut: it is left
    to the general reader, as is whatever follows it)."""
    lines: list[bytes] = []
    while len(lines) < n and (raw := f.readline(LINE_LIMIT)):
        lines.append(raw)
        if raw[-1:] != b"\n":
            break
    return lines


def read_json_array(path: Path, resume: tuple[int, int, str] | None = None) -> Iterator[tuple[int, dict]]:
    """Stream the elements of a top-level JSON array without loading the file. `resume` =
    (byte offset, line, state) carries on from a fast path (`array_elements` says the states)."""
    with JsonStream(path, resume and resume[:2]) as stream:
        if resume is None:
            stream.expect("[", "a JSON array")
        yield from stream.array_elements("first" if resume is None else resume[2])
        stream.expect_end("data after the end of the JSON array")


class DocumentRecords:
    """The records of the array at `at` (dotted steps, e.g. `property` or `response.items`)
    inside one JSON document, streamed as `(lines, records)` chunks; everything else in the
    document is kept in `envelope` (nested as in the document), complete once iteration ends, for
    checks such as a declared record count. Values beside the array are read whole, each bounded by
    MAX_RECORD_BYTES; the array is never held."""

    def __init__(self, path: Path, at: str):
        self.path, self.steps = path, tuple(at.split("."))
        self.envelope: dict = {}
        self.count = 0

    def __iter__(self) -> Iterator[tuple[list[int], list[dict]]]:
        lines, records = [], []
        try:
            with JsonStream(self.path) as stream:
                stream.expect("{", f"a JSON object holding {'.'.join(self.steps)!r}")
                for line, record in self._object(stream, 0, self.envelope):
                    lines.append(line)
                    records.append(record)
                    if len(records) == CHUNK:
                        yield lines, records
                        lines, records = [], []
                stream.expect_end("data after the end of the JSON document")
        except UnicodeDecodeError as e:
            raise _not_utf8(self.path, e) from None
        if records:
            yield lines, records

    def _object(self, stream: "JsonStream", depth: int, envelope: dict):
        """The members of an object whose `{` was read; descends into the next step of the path."""
        found = False
        for key in stream.object_keys():
            if key == self.steps[depth] and not found:
                found = True
                if depth + 1 < len(self.steps):
                    stream.expect("{", f"an object at {'.'.join(self.steps[:depth + 1])!r}")
                    yield from self._object(stream, depth + 1, envelope.setdefault(key, {}))
                else:
                    stream.expect("[", f"an array at {'.'.join(self.steps)!r}")
                    for line, record in stream.array_elements():
                        self.count += 1
                        yield line, record
            else:
                envelope[key] = stream.value()
        if not found:
            raise Reject(stream.line, f"the document has no {'.'.join(self.steps[:depth + 1])!r}")


class JsonStream:
    """A JSON text read a buffer at a time: the C decoder's raw_decode parses one value at a
    time from a rolling buffer, and a value cut by the buffer's end is retried with more data.
    Line numbers are counted as it goes, so a refusal names the line."""

    def __init__(self, path: Path, resume: tuple[int, int] | None = None):
        raw = open_bytes(path)
        if resume is not None:
            raw.seek(resume[0])
        self.file = io.TextIOWrapper(raw, encoding="utf-8-sig" if resume is None else "utf-8")
        self.decoder = jsontext.STANDARD   # numbers as spelled, no NaN, no key given twice
        self.buf, self.pos, self.eof = "", 0, False
        self.line = 1 if resume is None else resume[1]

    def __enter__(self) -> "JsonStream":
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def _more(self) -> bool:
        more = self.file.read(CHUNK_BYTES)
        self.eof = not more
        self.buf, self.pos = self.buf[self.pos:] + more, 0
        return bool(more)

    def peek(self, truncated: str) -> str:
        """The next character that is not white space (lines counted); Reject at the end. A run
        of white space is skipped by a C regex, a buffer at a time (gigabytes of it are not a
        Python loop per character)."""
        while True:
            end = _NOT_SPACE.search(self.buf, self.pos)
            if end is None:
                self.line += self.buf.count("\n", self.pos)
                self.pos = len(self.buf)
                if self.eof or not self._more():
                    raise Reject(self.line, truncated)
                continue
            at = end.start()
            if at > self.pos:
                self.line += self.buf.count("\n", self.pos, at)
                self.pos = at
            return self.buf[at]

    def expect(self, ch: str, what: str) -> None:
        found = self.peek(f"the file ends where {what} was expected (truncated file?)")
        if found != ch:
            raise Reject(self.line, f"expected {what}, found {found!r}")
        self.pos += 1

    def value(self):
        """The next JSON value, whole (at most MAX_RECORD_BYTES of text), by `jsontext`'s rules."""
        self.peek("the file ends where a value was expected (truncated file?)")
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
                if jsontext.may_hold_surrogates(self.buf, self.pos, end):
                    jsontext.refuse_surrogates(value)
                break
            except ValueError as e:   # a jsontext.Problem (a rule broken: no more data mends it), or malformed
                if isinstance(e, json.JSONDecodeError):
                    if self.eof or len(self.buf) - self.pos > MAX_RECORD_BYTES:
                        raise Reject(self.line + self.buf.count("\n", self.pos, e.pos),
                                     f"malformed JSON: {e.msg}") from None
                    self._more()
                    continue
                raise Reject(self.line, str(e)) from None
            except RecursionError:   # the decoder recurses once per level: refuse, keep the stack
                raise Reject(self.line, "JSON nested too deeply to read (about 1,000 levels: Python's "
                                        "recursion limit)") from None
        self.line += self.buf.count("\n", self.pos, end)
        self.pos = end
        if self.pos > CHUNK_BYTES:   # drop what was consumed
            self.buf, self.pos = self.buf[self.pos:], 0
        return value

    def array_elements(self, state: str = "first") -> Iterator[tuple[int, dict]]:
        """`(line, object)` for each element of an array, through its `]`, from `state`: "first"
        (just after `[`: an element or `]`), "next" (after a comma: an element) or "after" (after
        an element: a comma or `]`)."""
        expect_value, first = state != "after", state == "first"
        while True:
            ch = self.peek("the JSON array is not closed (truncated file?)")
            if ch == "," and not expect_value:
                self.pos += 1
                expect_value = True
                continue
            if ch == "]":
                if expect_value and not first:
                    raise Reject(self.line, "a comma before the ']' that ends the array (an element is missing)")
                self.pos += 1
                return
            if not expect_value:
                raise Reject(self.line, f"expected ',' or ']' between array elements, found {ch!r}")
            line = self.line
            record = self.value()
            if not isinstance(record, dict):
                raise Reject(line, f"array elements must be objects, found {type(record).__name__}")
            yield line, record
            expect_value, first = False, False

    def object_keys(self) -> Iterator[str]:
        """The keys of an object whose `{` was read, through its `}`; the caller reads each value."""
        first, seen = True, set()
        while True:
            ch = self.peek("the JSON object is not closed (truncated file?)")
            if ch == "}":
                self.pos += 1
                return
            if not first:
                if ch != ",":
                    raise Reject(self.line, f"expected ',' or '}}' between object members, found {ch!r}")
                self.pos += 1
                self.peek("the JSON object is not closed (truncated file?)")
            key = self.value()
            if not isinstance(key, str):
                raise Reject(self.line, f"expected an object key, found {type(key).__name__}")
            if key in seen:
                raise Reject(self.line, f"the key {key[:200]!r} is given twice in one object")
            seen.add(key)
            self.expect(":", "':' after an object key")
            first = False
            yield key

    def expect_end(self, problem: str) -> None:
        """Only white space may follow, read a buffer at a time (a refusal names the line the
        document or array ended on)."""
        while True:
            if self.buf[self.pos:].strip():
                raise Reject(self.line, problem)
            self.buf, self.pos = "", 0
            if self.eof or not self._more():
                return
