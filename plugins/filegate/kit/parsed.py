"""What a reader hands on: a file's header, its sort key and its records in chunks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

Record = dict[str, Any]
CHUNK = 5_000   # records handed on at a time: per-record Python overhead is what convert costs


@dataclass
class ParsedFile:
    """A file's header and sort key, and its records as `chunks`: `(table, records)` runs, each
    record carrying the line it starts on as `_line`. A reader that yields one record at a time
    builds it with `from_records`."""
    header: dict[str, Any]
    sort_key: str
    chunks: Iterator[tuple[str, list[Record]]]

    @classmethod
    def from_records(cls, header: dict[str, Any], sort_key: str,
                     records: Iterator[tuple[str, int, Record]]) -> "ParsedFile":
        return cls(header, sort_key, chunked(records))

    @property
    def records(self) -> Iterator[tuple[str, int, Record]]:
        """One `(table, line, record)` at a time (the chunks, unrolled; each record without its
        `_line`, a copy: the chunks are left as the reader made them)."""
        for table, chunk in self.chunks:
            for record in chunk:
                yield table, record["_line"], {k: v for k, v in record.items() if k != "_line"}


def chunked(records: Iterator[tuple[str, int, Record]]) -> Iterator[tuple[str, list[Record]]]:
    """Runs of up to CHUNK records per table, whatever the order the tables interleave in (a
    reader alternating parents and children must not make one-record runs)."""
    pending: dict[str, list[Record]] = {}
    for table, line, record in records:
        record["_line"] = line
        chunk = pending.setdefault(table, [])
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield table, pending.pop(table)
    yield from pending.items()
