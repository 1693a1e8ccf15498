"""A JSON array of objects, by the fastest of three paths that fits the file's layout."""
from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Generator, Iterator

from filegate.kit import jsontext
from filegate.kit.readers import limits
from filegate.kit.readers.compressed import open_bytes
from filegate.kit.readers.json_stream import SPACE, JsonStream
from filegate.kit.readers.lines import not_utf8

_OPEN = re.compile(rb"\{")


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
            if len(records) == limits.CHUNK:
                yield lines, records
                lines, records = [], []
    except UnicodeDecodeError as e:
        raise not_utf8(path, e) from None
    if records:
        yield lines, records


Chunk = tuple[list[int], list[dict]]   # (lines, records) of one run
Resume = tuple[int, int, str]          # (byte offset, line, state) where the reading goes on
_ENDED: Resume = (-1, -1, "ended")   # the array and the file ended cleanly


def _per_line(f: IO[bytes]) -> Generator[Chunk, None, Resume | None]:
    """Path 1; returns where it stopped, or None when the file does not open with `[` (then the
    general reader starts from the beginning, and names the fault)."""
    first = f.readline(limits.LINE_LIMIT)
    if first.removeprefix(b"\xef\xbb\xbf").strip() != b"[":
        f.seek(0)
        head = f.read(limits.CHUNK_BYTES)
        text = head.removeprefix(b"\xef\xbb\xbf")
        start = len(head) - len(text.lstrip(SPACE))
        if head[start:start + 1] != b"[":
            return None
        return start + 1, 1 + head.count(b"\n", 0, start), "first"
    offset, done = len(first), 1
    while chunk := _lines(f, limits.CHUNK):
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


def _flat_blocks(f: IO[bytes], offset: int, line: int, state: str) -> Generator[Chunk, None, Resume]:
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
        if not eof and len(buf) < limits.CHUNK_BYTES:
            more = f.read(limits.CHUNK_BYTES)
            eof = not more
            buf += more
        i = 0   # between elements: white space, then `]`, or (after a comma) an element
        while i < len(buf) and buf[i] in SPACE:
            i += 1
        if i == len(buf) and not eof:
            continue
        line += buf.count(b"\n", 0, i)
        offset, buf = offset + i, buf[i:]
        if buf[:1] == b"]" and state == "first":
            rest = buf[1:]
            while not rest.strip(SPACE):   # only white space may follow the array
                rest = f.read(limits.CHUNK_BYTES)
                if not rest:
                    return _ENDED
            return offset, line, state
        cut = buf.rfind(b"}") + 1
        if not cut:
            if eof or len(buf) > limits.MAX_RECORD_BYTES:
                return offset, line, state
            buf += f.read(limits.CHUNK_BYTES)   # an element longer than the block so far
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
        for k in range(0, len(records), limits.CHUNK):
            yield starts[k:k + limits.CHUNK], records[k:k + limits.CHUNK]
        offset, buf = offset + cut, buf[cut:]
        j = 0   # after an element: white space, then `,` or `]`
        while True:
            while j < len(buf) and buf[j] in SPACE:
                j += 1
            if j < len(buf) or eof:
                break
            more = f.read(limits.CHUNK_BYTES)
            eof = not more
            buf += more
        if buf[j:j + 1] == b",":
            line += buf.count(b"\n", 0, j + 1)
            offset, buf, state = offset + j + 1, buf[j + 1:], "next"
        elif buf[j:j + 1] == b"]":
            state = "first"   # then only the array's end is read: as after `[`
        else:
            return offset, line, "after"


def _lines(f: IO[bytes], n: int) -> list[bytes]:
    """Up to `n` lines, none longer than LINE_LIMIT (a longer one ends the list, cut: it is left
    to the general reader, as is whatever follows it)."""
    lines: list[bytes] = []
    while len(lines) < n and (raw := f.readline(limits.LINE_LIMIT)):
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
