"""What a dataset is: one package under `filegate/datasets/<name>/` declaring a `DATASET`, plus its
SQL under `include/sql/<name>/` and its migration. The core names no dataset.

A reader turns a raw file into a header (kept in the registry), a sort key (publish order inside
a batch) and its records as chunks: runs of up to CHUNK records of one table (see `ParsedFile`).
It raises `filegate.kit.errors.Reject` for a file that must not be loaded. Claim, convert, stage,
audit, publish and reports are generic, driven by this declaration and the SQL files.

Words used throughout: a *chunk* is a run of records of one table from one file; a *batch* is the
files one ingest run handles together; a *run* is the Airflow DAG run (its id names the batch).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, cast

from filegate.kit.tables import Table
from filegate.settings import SQL_DIR, Settings

Record = dict[str, Any]
CHUNK = 5_000   # records handed on at a time: per-record Python overhead is what convert costs


@dataclass(frozen=True)
class Export:
    """A daily nested NDJSON gzip export (`filegate.outputs.exports` writes it)."""
    name: str
    shape: Callable[[Iterator[tuple]], Iterator[bytes]]   # the query's rows, in order -> NDJSON text pieces


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


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str                                      # one line, shown in the Airflow UI
    pattern: str                                          # glob(s) under landing/<name>/, space-separated
    reader: Callable[[Path, Settings], ParsedFile]
    tables: tuple[Table, ...]
    checks: Callable[[Table, dict[str, str]], list] | None = None   # suite additions: expectations for
                                                          # a table, given the batch's staging tables
    reloadable: bool = False                              # a loaded name may be re-delivered and upserted
    renamed_copies: bool = False                          # a loaded file's bytes may load again under another name
    summary_reports: tuple[str, ...] = ()                 # reports `make run` prints in its summary
    exports: tuple[Export, ...] = ()                      # nested NDJSON documents shaped from exports/<name>.sql
    sample: Callable[[Path, Settings], str] | None = None # writes a sample into landing/<name>/, says what
    settings: Callable[[], Any] | None = None             # the dataset's own settings (validated at start)
    tags: tuple[str, ...] = ()
    schedule: str = "@daily"                              # the ingest DAG's (FILEGATE_<NAME>_SCHEDULE overrides)
    files_per_task: int = 1                               # files per mapped convert task (FILEGATE_<NAME>_FILES_PER_TASK)
    doc: str = ""                                         # the package docstring: the DAGs' documentation
    sql_dir: Path | None = None                           # default include/sql/<name>/
    ui: str | None = None                                 # a module with `api` and `pages` routers: the
                                                          # dataset's own questions in the filegate UI

    def __post_init__(self):
        object.__setattr__(self, "tables", tuple(t.in_schema(self.name) for t in self.tables))
        if self.sql_dir is None:
            object.__setattr__(self, "sql_dir", SQL_DIR / self.name)

    @property
    def ingest_dag_id(self) -> str:
        return f"{self.name}_ingest"

    @property
    def reports_dag_id(self) -> str:
        return f"{self.name}_reports"

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"dataset {self.name} has no table {name!r} (tables: {[t.name for t in self.tables]})")

    @property
    def loaded_tables(self) -> tuple[Table, ...]:
        """The tables files load rows into (staged, audited, upserted); derived ones are not."""
        return tuple(t for t in self.tables if not t.derived)

    @property
    def sql_folder(self) -> Path:
        """`sql_dir`, which __post_init__ always sets."""
        return cast(Path, self.sql_dir)

    @property
    def reports(self) -> tuple[str, ...]:
        """One per `reports/<report>.sql` in the dataset's SQL folder."""
        return tuple(sorted(p.stem for p in (self.sql_folder / "reports").glob("*.sql")))

    def export(self, name: str) -> Export:
        for e in self.exports:
            if e.name == name:
                return e
        raise KeyError(f"dataset {self.name} has no export {name!r} (exports: {[e.name for e in self.exports]})")

    def publish_sql(self) -> list[Path]:
        """The dataset's own publish steps, `publish/*.sql`, in name order."""
        return sorted((self.sql_folder / "publish").glob("*.sql"))

    def with_doc(self, doc: str | None) -> "Dataset":
        return self if self.doc or not doc else replace(self, doc=doc.strip())



