"""Stage a batch: COPY its NDJSON gzip into an UNLOGGED table typed by the dataset declaration.

msgspec decodes a megabyte of lines at a time, straight into rows of the staging columns (keys
that are not staging columns are ignored, missing ones are null), and psycopg COPYs them: much
faster than handing the lines to PostgreSQL as jsonb and typing them there with
`jsonb_populate_record` (measured: bench/README.md, "Load, side by side"). Re-staging a batch
replaces its table.
"""
from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from filegate.kit import column_types
from filegate.kit.declaration import Dataset
from filegate.kit.errors import QUOTE_LIMIT, Reject, bounded, refused_by_postgres
from filegate.kit.tables import LINEAGE, Table
from filegate.warehouse.connection import compose, connect

if TYPE_CHECKING:   # psycopg is imported where a connection is opened
    from psycopg import Connection

log = logging.getLogger(__name__)

READ_BYTES = 1 << 20


def staging_table(dataset: Dataset, table: Table, run_id: str) -> str:
    digest = hashlib.sha1(run_id.encode()).hexdigest()[:12]
    return f"staging.{dataset.name}__{table.name}__{digest}"


def stage_table(conninfo: str, name: str, table: Table, ndjson_gz: Path | None) -> int:
    """(Re)create staging table `name` from an NDJSON gzip file; return the rows staged."""
    rows = 0
    with connect(conninfo) as conn:
        _create(conn, name, table)
        if ndjson_gz is not None:
            rows = _copy_lines(conn, name, table, ndjson_gz)
        conn.execute(compose("ANALYZE {t}", t=name))
    log.info("staged %d %s rows into %s", rows, table.name, name)
    return rows


def stage_batch(conninfo: str, name: str, table: Table, run_dir: Path, file_ids: list[int]) -> tuple[int, dict[int, Reject]]:
    """Stage `table`'s rows of the batch's files (their converted parts, joined) into `name`.
    When PostgreSQL refuses the batch, stage it again file by file (`stage_files`) to find the
    files at fault. Returns the rows staged and {file_id: Reject} for the files refused."""
    from filegate.ingest.convert import combine_parts, part_path

    try:
        return stage_table(conninfo, name, table, combine_parts(run_dir, table.name, file_ids)), {}
    except Exception as e:
        if not refusal(e):
            raise
        log.warning("PostgreSQL refused the batch's %s rows (%s); staging file by file to find the file(s) at "
                    "fault", table.name, bounded(str(e), QUOTE_LIMIT))
    parts = {i: part_path(run_dir, table.name, i) for i in file_ids}
    return stage_files(conninfo, name, table, {i: p for i, p in parts.items() if p.exists()})


def refusal(error: Exception) -> bool:
    """Whether `error` refuses a file's rows (bad data), as opposed to a failing database or machine."""
    return isinstance(error, BadLine) or refused_by_postgres(error)


def drop_staging_except(conn: Connection, dataset: Dataset, runs: set[str]) -> list[str]:
    """Drop the dataset's staging tables of every run but `runs`; return their names."""
    keep = {staging_table(dataset, table, run).split(".", 1)[1] for run in runs for table in dataset.loaded_tables}
    ours = tuple(f"{dataset.name}__{table.name}__" for table in dataset.loaded_tables)
    dropped = [name for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'staging'")
               if name not in keep and name.startswith(ours)]
    for name in dropped:
        conn.execute(compose("DROP TABLE IF EXISTS {t}", t=f"staging.{name}"))
    return dropped


def stage_files(conninfo: str, name: str, table: Table, parts: dict[int, Path]) -> tuple[int, dict[int, Reject]]:
    """(Re)create staging table `name` from each file's part ({file_id: NDJSON gzip}) in turn,
    each COPY in its own savepoint: the slow way, to tell which files PostgreSQL refuses when
    the batch as a whole cannot be staged. Returns the rows staged and {file_id: Reject} for
    the files refused (their rows are not staged); any other error propagates."""
    rows, refused = 0, {}
    with connect(conninfo) as conn:
        _create(conn, name, table)
        for file_id, part in parts.items():
            try:
                with conn.transaction():
                    rows += _copy_lines(conn, name, table, part)
            except Exception as e:
                if not refusal(e):
                    raise
                refused[file_id] = _refusal(e, table, part)
        conn.execute(compose("ANALYZE {t}", t=name))
    log.info("staged %d %s rows into %s file by file; %d file(s) refused", rows, table.name, name, len(refused))
    return rows, refused


class BadLine(RuntimeError):
    """A converted line that cannot be staged (a converter bug, or a value the declared type let
    through), with the source line when it is known."""

    def __init__(self, problem: str, line: int | None = None):
        super().__init__(problem)
        self.line = line


def _create(conn: Connection, name: str, table: Table) -> None:
    from psycopg import sql

    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(col), sql.SQL(pgtype))
        for col, pgtype in table.staging_columns.items()
    )
    conn.execute(compose("DROP TABLE IF EXISTS {t}", t=name))
    conn.execute(sql.SQL("CREATE UNLOGGED TABLE {} ({})").format(sql.Identifier(*name.split(".")), columns))


def _refusal(error: Exception, table: Table, part: Path) -> Reject:
    """The Reject for a file PostgreSQL would not stage, at the source line of the refused row
    (COPY names its row: the n-th line of the part, which carries the source `_line`)."""
    if isinstance(error, BadLine):
        return Reject(error.line, f"could not be staged into {table.name}: {error}")
    diag = getattr(error, "diag", None)   # a psycopg.Error's: what PostgreSQL said, and where
    at = re.search(r"^COPY .*?, line (\d+)", (diag and diag.context) or "", re.MULTILINE)
    line = _source_line(part, int(at.group(1))) if at else None
    return Reject(line, f"PostgreSQL refused a {table.name} row: {(diag and diag.message_primary) or error}")


def _source_line(part: Path, n: int) -> int | None:
    """The source line of the n-th record of a part (1-based), or None."""
    import msgspec
    from isal import igzip

    with igzip.open(part, "rb") as f:
        for i, raw in enumerate(f, start=1):
            if i == n:
                try:
                    return msgspec.json.decode(raw).get("_line")
                except (msgspec.DecodeError, AttributeError):
                    return None
    return None


def _copy_lines(conn: Connection, name: str, table: Table, ndjson_gz: Path) -> int:
    import msgspec
    import psycopg
    from isal import igzip
    from psycopg import sql

    kinds = {**{c: column_types.get(t) for c, t in LINEAGE.items()}, **{c.name: c.column_type for c in table.columns}}
    row_type = msgspec.defstruct(f"{table.name}_row", [
        (column, column_types.staged_as(kind), None) for column, kind in kinds.items()])
    decode_lines, astuple = msgspec.json.Decoder(row_type).decode_lines, msgspec.structs.astuple
    converted = [(i, kind.to_copy) for i, kind in enumerate(kinds.values()) if kind.to_copy]
    rows = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*name.split(".")), sql.SQL(", ").join(map(sql.Identifier, kinds)))
    with conn.cursor().copy(statement) as copy, igzip.open(ndjson_gz, "rb") as f:
        while data := f.read(READ_BYTES):
            data += f.readline()   # whole lines only
            try:
                decoded = decode_lines(data)
            except msgspec.ValidationError as e:   # the converter wrote it: a bug, not bad input
                raise BadLine(f"{ndjson_gz} does not fit the staging columns of {table.name}: {e}") from None
            for row in decoded:
                values = astuple(row)
                try:
                    copy.write_row(_converted(values, converted) if converted else values)
                except psycopg.DataError as e:   # refused before it reached the server (a NUL, say)
                    raise BadLine(str(e), values[1]) from None   # values[1]: `_line` (LINEAGE)
            rows += len(decoded)
    return rows


def _converted(values: tuple, converted: list) -> list:
    """Values whose COPY text is not their JSON value (jsonb documents, hstore pairs)."""
    out = list(values)
    for i, to_copy in converted:
        out[i] = to_copy(out[i])
    return out
