"""What a dataset is: one package under `filegate/datasets/<name>/` declaring a `DATASET`, plus its
SQL under `include/sql/<name>/` and its migration. The core names no dataset.

A reader turns a raw file into a header (kept in the registry), a sort key (publish order inside
a batch) and its records as chunks: runs of up to CHUNK records of one table (see `ParsedFile`).
It raises `filegate.kit.errors.Reject` for a file that must not be loaded. A dataset whose files
are CSV/TSV, NDJSON or JSON arrays declares no reader: the kit's default reader
(`filegate.kit.readers.declared`) detects the format and types by the declaration. A reader,
sample, checks or export shape is declared by reference, `"package.module:function"`, imported
when first called (so the declaration parses fast), or as a function. Claim, convert, stage,
audit, publish and reports are generic, driven by this declaration and the SQL files.

Words used throughout: a *chunk* is a run of records of one table from one file (a *block* is raw
bytes or lines read at once); a *batch* is the files one ingest run handles together; a *run* is
the Airflow DAG run (its id names the batch). A file is *refused* when it is not loaded: it goes
whole to quarantine, recorded `rejected` (a reader or a check said why) or `duplicate`; the step
that decides is the *audit* (its Great Expectations results are the dataset's *quality* docs).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, cast

from filegate.kit.parsed import ParsedFile
from filegate.kit.references import referenced
from filegate.kit.tables import Table
from filegate.settings import SQL_DIR, Settings


@dataclass(frozen=True)
class Export:
    """A daily nested NDJSON gzip export (`filegate.outputs.exports` writes it)."""
    name: str
    shape: Callable[[Iterator[tuple]], Iterator[bytes]] | str   # the query's rows, in order -> NDJSON text pieces

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", referenced(self.shape))

    def pieces(self, rows: Iterator[tuple]) -> Iterator[bytes]:
        """The export's NDJSON text, shaped from the query's rows."""
        return cast(Callable[[Iterator[tuple]], Iterator[bytes]], self.shape)(rows)


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str                                      # one line, shown in the Airflow UI
    pattern: str                                          # glob(s) under landing/<name>/, space-separated
    tables: tuple[Table, ...]
    reader: Callable[[Path, Any], ParsedFile] | str | None = None   # (path, the dataset's own settings or None);
                                                          # None: the kit's default reader
    undeclared: str | None = None                         # default reader: the table keeping, as JSONB, the
                                                          # records of a subfolder that names no table
    checks: Callable[[Table, dict[str, str]], list] | str | None = None   # suite additions: expectations
                                                          # for a table, given the batch's staging tables
    reloadable: bool = False                              # a loaded name may be re-delivered and upserted
    renamed_copies: bool = False                          # a loaded file's bytes may load again under another name
    summary_reports: tuple[str, ...] = ()                 # reports `make run` prints in its summary
    exports: tuple[Export, ...] = ()                      # nested NDJSON documents shaped from exports/<name>.sql
    sample: Callable[[Path, Settings], str] | str | None = None   # writes a sample into landing/<name>/,
                                                          # says what
    settings: Callable[[], Any] | None = None             # the dataset's own settings (validated at start)
    tags: tuple[str, ...] = ()
    schedule: str = "@daily"                              # the ingest DAG's (FILEGATE_<NAME>_SCHEDULE overrides)
    files_per_task: int = 1                               # files per mapped convert task (FILEGATE_<NAME>_FILES_PER_TASK)
    doc: str = ""                                         # the package docstring: the DAGs' documentation
    sql_dir: Path | None = None                           # default include/sql/<name>/
    ui: str | None = None                                 # a module with `api` and `pages` routers: the
                                                          # dataset's own questions in the filegate UI

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", tuple(t.in_schema(self.name) for t in self.tables))
        for name in ("reader", "checks", "sample"):
            object.__setattr__(self, name, referenced(getattr(self, name)))
        if self.undeclared is not None:
            self.table(self.undeclared)   # a KeyError naming the tables, at declaration
        if self.sql_dir is None:
            object.__setattr__(self, "sql_dir", SQL_DIR / self.name)

    @property
    def ingest_dag_id(self) -> str:
        return f"{self.name}_ingest"

    @property
    def reports_dag_id(self) -> str:
        return f"{self.name}_reports"

    def read(self, path: Path) -> ParsedFile:
        """`path` as its reader (or the default reader) reads it, handed the dataset's own settings."""
        if self.reader is None:
            from filegate.kit.readers.declared import read_declared

            undeclared = self.table(self.undeclared) if self.undeclared else None
            return read_declared(path, self.loaded_tables, undeclared)
        own = self.settings() if self.settings is not None else None
        return cast(Callable[[Path, Any], ParsedFile], self.reader)(path, own)

    def checks_for(self, table: Table, staging: dict[str, str]) -> list:
        """The dataset's own expectations for `table` (the standard ones come from its declaration)."""
        return list(cast(Callable, self.checks)(table, staging)) if self.checks is not None else []

    def write_sample(self, landing_dir: Path, settings: Settings) -> str | None:
        """Write the dataset's sample into `landing_dir`; what was written, or None without one."""
        return cast(Callable[[Path, Settings], str], self.sample)(landing_dir, settings) if self.sample else None

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



