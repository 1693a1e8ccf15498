"""Stage a batch: COPY its NDJSON gzip into an UNLOGGED table typed by the dataset declaration.

msgspec decodes a megabyte of lines at a time, straight into rows of the staging columns (keys
that are not staging columns are ignored, missing ones are null), and psycopg COPYs them. That is
about 3x faster at 2,000,000 rows than handing the lines to PostgreSQL as jsonb and typing them
there with `jsonb_populate_record` (bench/README.md). Re-staging a batch replaces its table.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from filegate.dataset import Dataset, Table
from filegate.warehouse import compose, connect

log = logging.getLogger(__name__)

READ_BYTES = 1 << 20
# how a staging column's JSON value is decoded, by its PostgreSQL type
DECODED_AS = {"bigint": int, "integer": int, "text": str, "numeric": int | float | str,
              "timestamp": str, "timestamptz": str}


def staging_table(dataset: Dataset, table: Table, batch: str) -> str:
    digest = hashlib.sha1(batch.encode()).hexdigest()[:12]
    return f"staging.{dataset.name}__{table.name}__{digest}"


def stage_table(conninfo: str, name: str, table: Table, ndjson_gz: Path | None) -> int:
    """(Re)create staging table `name` from an NDJSON gzip file; return the rows staged."""
    from psycopg import sql

    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(col), sql.SQL(pgtype))
        for col, pgtype in table.staging_columns.items()
    )
    rows = 0
    with connect(conninfo) as conn:
        conn.execute(compose("DROP TABLE IF EXISTS {t}", t=name))
        conn.execute(sql.SQL("CREATE UNLOGGED TABLE {} ({})").format(sql.Identifier(*name.split(".")), columns))
        if ndjson_gz is not None:
            rows = _copy_lines(conn, name, table, ndjson_gz)
        conn.execute(compose("ANALYZE {t}", t=name))
    log.info("staged %d %s rows into %s", rows, table.name, name)
    return rows


def _copy_lines(conn, name: str, table: Table, ndjson_gz: Path) -> int:
    import msgspec
    from isal import igzip
    from psycopg import sql

    types = list(table.staging_columns.values())
    row_type = msgspec.defstruct(f"{table.name}_row", [
        (column, msgspec.Raw if pgtype == "jsonb" else DECODED_AS[pgtype] | None, None)
        for column, pgtype in table.staging_columns.items()])
    decode_lines, astuple = msgspec.json.Decoder(row_type).decode_lines, msgspec.structs.astuple
    documents = [i for i, pgtype in enumerate(types) if pgtype == "jsonb"]
    rows = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*name.split(".")), sql.SQL(", ").join(map(sql.Identifier, table.staging_columns)))
    with conn.cursor().copy(statement) as copy, igzip.open(ndjson_gz, "rb") as f:
        while data := f.read(READ_BYTES):
            data += f.readline()   # whole lines only
            try:
                decoded = decode_lines(data)
            except msgspec.ValidationError as e:   # the converter wrote it: a bug, not bad input
                raise RuntimeError(f"{ndjson_gz} does not fit the staging columns of {table.name}: {e}") from None
            for row in decoded:
                values = astuple(row)
                copy.write_row(_documents_as_text(values, documents) if documents else values)
            rows += len(decoded)
    return rows


def _documents_as_text(values: tuple, at: list[int]) -> list:
    values = list(values)
    for i in at:
        raw = bytes(values[i]) if values[i] is not None else b"null"
        values[i] = None if raw == b"null" else raw.decode()
    return values
