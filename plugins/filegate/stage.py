"""Stage a batch: COPY its NDJSON gzip into an UNLOGGED table typed by the dataset declaration.

The JSON lines go to the server as they are (no parsing in Python): COPY reads each line as one
jsonb value, and `jsonb_populate_record` types it in SQL. Re-staging a batch replaces its table.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from filegate.dataset import Dataset, Table
from filegate.warehouse import compose, connect

log = logging.getLogger(__name__)

# One JSON line = one CSV field: quote and delimiter are bytes JSON text never holds unescaped.
COPY_LINES = "COPY {raw} (doc) FROM STDIN WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"


def staging_table(dataset: Dataset, table: Table, batch: str) -> str:
    digest = hashlib.sha1(batch.encode()).hexdigest()[:12]
    return f"staging.{dataset.name}__{table.name}__{digest}"


def stage_table(conninfo: str, name: str, table: Table, ndjson_gz: Path | None) -> int:
    """(Re)create staging table `name` from an NDJSON gzip file; return the rows staged."""
    from isal import igzip
    from psycopg import sql

    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(col), sql.SQL(pgtype))
        for col, pgtype in table.staging_columns.items()
    )
    with connect(conninfo) as conn:
        conn.execute(compose("DROP TABLE IF EXISTS {t}", t=name))
        conn.execute(sql.SQL("CREATE UNLOGGED TABLE {} ({})").format(sql.Identifier(*name.split(".")), columns))
        if ndjson_gz is not None:
            conn.execute("CREATE TEMP TABLE raw_lines (doc jsonb) ON COMMIT DROP")
            with conn.cursor().copy(compose(COPY_LINES, raw="raw_lines")) as copy, igzip.open(ndjson_gz, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    copy.write(chunk)
            conn.execute(compose(
                "INSERT INTO {t} SELECT r.* FROM raw_lines, jsonb_populate_record(NULL::{t}, raw_lines.doc) r",
                t=name))
        conn.execute(compose("ANALYZE {t}", t=name))
        rows = conn.execute(compose("SELECT count(*) FROM {t}", t=name)).fetchone()[0]
    log.info("staged %d %s rows into %s", rows, table.name, name)
    return rows
