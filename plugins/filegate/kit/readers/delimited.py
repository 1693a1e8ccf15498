"""CSV and TSV (and `;`, `|`): the delimiter sniffed from the header, whole runs of lines parsed
in C, and a run that fails re-read row by row to name the line."""
from __future__ import annotations

import _csv
import csv
import io
from itertools import chain, islice
from pathlib import Path
from typing import Any, Iterable, Iterator

from filegate.kit.errors import Reject, excerpt
from filegate.kit.readers import limits
from filegate.kit.readers.compressed import open_bytes
from filegate.kit.readers.lines import bounded_lines, not_utf8

DELIMITERS = (",", ";", "\t", "|")


def csv_reader(lines: Iterable[str], **options: Any) -> _csv.Reader:
    """`csv.reader` whose fields may be as long as a line may (its default limit is 128 KiB). The
    limit is the csv module's, process-wide: set by whoever reads CSV, when they do, not at import."""
    csv.field_size_limit(limits.MAX_RECORD_BYTES)
    return csv.reader(lines, **options)


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
        try:   # text is decoded a block ahead: the line of a bad byte is found by `not_utf8`
            header_line = next(bounded_lines(f, ""), "")
        except UnicodeDecodeError as e:
            raise not_utf8(path, e) from None
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
                chunk = list(islice(lines, limits.CHUNK))
            except UnicodeDecodeError as e:
                raise not_utf8(path, e) from None
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


def _csv_rows_one_by_one(chunk: list[str], more: Iterator[str], path: Path, done: int, delimiter: str,
                         width: int) -> tuple[list[int], list[list[str]], int]:
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
        raise not_utf8(path, e) from None
    return lines, rows, used
