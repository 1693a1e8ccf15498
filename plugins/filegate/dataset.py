"""What a dataset is: a small declaration. Adding a dataset touches one place.

A reader turns a raw file into a header (kept in the registry), a sort key (publish order inside
a batch) and its records, as a stream of `(table, line, record)` or, faster, of runs of records
(see `ParsedFile`); it raises `filegate.errors.Reject` for a file that must not be loaded. Everything else (claim, convert, stage, audit, publish, reports) is
generic and driven by this declaration plus SQL under include/sql/<dataset>/.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from filegate.settings import Settings

Record = dict[str, Any]


BATCH = 5_000   # records handed on at a time: per-record Python overhead is what convert costs


@dataclass
class ParsedFile:
    """A file's header and sort key, and its records as `batches`: runs of one table's records,
    each record carrying the line it starts on as `_line`. A reader that yields one record at a
    time builds it with `from_records`."""
    header: dict[str, Any]
    sort_key: str
    batches: Iterator[tuple[str, list[Record]]]

    @classmethod
    def from_records(cls, header: dict[str, Any], sort_key: str,
                     records: Iterator[tuple[str, int, Record]]) -> "ParsedFile":
        return cls(header, sort_key, _batched(records))

    @property
    def records(self) -> Iterator[tuple[str, int, Record]]:
        """One `(table, line, record)` at a time (the batches, unrolled)."""
        for table, batch in self.batches:
            for record in batch:
                line = record.pop("_line")
                yield table, line, record


def _batched(records: Iterator[tuple[str, int, Record]]) -> Iterator[tuple[str, list[Record]]]:
    table, batch = None, []
    for name, line, record in records:
        if name != table or len(batch) >= BATCH:
            if batch:
                yield table, batch
            table, batch = name, []
        record["_line"] = line
        batch.append(record)
    if batch:
        yield table, batch


@dataclass(frozen=True)
class Table:
    name: str
    staging_columns: dict[str, str]   # column -> PostgreSQL type, as staged for the audit
    target: str                       # "schema.table" the publish SQL upserts into; rows carry file_id
    keys: tuple[str, ...] = ()        # upsert key; none: a re-delivered file replaces its earlier rows


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    pattern: str                                          # glob under landing/<name>/
    reader: Callable[[Path, Settings], ParsedFile]
    tables: tuple[Table, ...]
    suite: Callable[[Table, dict[str, str]], Any]         # GE suite for a table, given the batch's
                                                          # staging tables; None: nothing to check
    reports: tuple[str, ...] = ()                         # include/sql/<name>/reports/<report>.sql
    reloadable: bool = False                              # a loaded name may be re-delivered and upserted
    summary_reports: tuple[str, ...] = ()                 # reports `make run` prints in its summary
    tags: tuple[str, ...] = field(default_factory=tuple)

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"dataset {self.name} has no table {name!r} (tables: {[t.name for t in self.tables]})")
