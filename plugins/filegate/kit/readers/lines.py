"""Lines as the readers take them: none longer than MAX_LINE, and a file that is not UTF-8
refused at the first line holding a bad byte."""
from __future__ import annotations

from functools import partial
from itertools import chain
from pathlib import Path
from typing import IO, Any, Iterator

from filegate.kit.errors import Reject
from filegate.kit.readers import limits
from filegate.kit.readers.compressed import open_bytes


def text_line(number: int, raw: bytes) -> str:
    """Line `number`, decoded: bytes that are not UTF-8 refuse the file at it (`bad_bytes`)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise bad_bytes(number, e) from None


def bad_bytes(number: int, error: UnicodeDecodeError) -> Reject:
    """The Reject for line `number`, which `error` found not UTF-8: the column and the bytes."""
    bad = bytes(error.object[error.start:error.start + 4])
    return Reject(number, f"bytes are not valid UTF-8 at column {error.start + 1} ({error.reason}: {bad!r})")


def refuse_nul(number: int, raw: bytes, what: str) -> None:
    """Refuse line `number` if it holds a NUL byte (binary junk, which PostgreSQL text cannot
    hold), saying where; `what` says what the file should be ("a SMRT file")."""
    column = raw.find(b"\x00") + 1
    if column:
        raise Reject(number, f"a NUL byte (\\x00) at column {column}: {what} is text")


def not_utf8(path: Path, error: UnicodeDecodeError) -> Reject:
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


def bounded_lines(f: IO[Any], empty: str | bytes, first: int = 1) -> Iterator[Any]:
    """The lines of `f` (text or binary; `first`: the number of the next line); a line longer than
    MAX_LINE is refused as soon as that much of it is read, never read whole."""
    for number, line in enumerate(iter(partial(f.readline, limits.MAX_LINE + 1), empty), start=first):
        if len(line) > limits.MAX_LINE:
            raise Reject(number, f"a line longer than {limits.MAX_LINE >> 20} MiB: refused rather than read whole")
        yield line
