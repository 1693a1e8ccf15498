"""A JSON text read a buffer at a time, one value at a time, counting lines."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, Iterator

from filegate.kit import jsontext
from filegate.kit.errors import Reject
from filegate.kit.readers import limits
from filegate.kit.readers.compressed import open_bytes

SPACE = b" \t\r\n"
_NOT_SPACE = re.compile(r"[^ \t\r\n]")


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

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def _more(self) -> bool:
        more = self.file.read(limits.CHUNK_BYTES)
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

    def value(self) -> Any:
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
                    if self.eof or len(self.buf) - self.pos > limits.MAX_RECORD_BYTES:
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
        if self.pos > limits.CHUNK_BYTES:   # drop what was consumed
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
