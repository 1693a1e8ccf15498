"""The load contenders: each brings the converted tracks into a keyed PostgreSQL table.
Run one as its own process: python bench/load_contenders.py <contender> <conninfo> <input> [<timings.json>]

  pandas      the textbook approach: DataFrame.to_sql(method="multi") into bench.tracks (append),
              the NDJSON read with read_json(lines=True) in chunks
  executemany a row-by-row INSERT ... ON CONFLICT (track_id) DO UPDATE via psycopg's executemany,
              in one transaction (psycopg 3 pipelines it)
  filegate    stage + audit + publish as the DAG runs them, on a batch claimed and converted
              beforehand (input: the batch's JSON description); the time of each step goes to
              <timings.json>
  floor       plain COPY of a CSV prepared beforehand into an unindexed UNLOGGED table: nothing
              loads the rows faster
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COLUMNS = ("track_id", "name", "album_id", "media_type_id", "genre_id", "composer", "milliseconds", "bytes",
           "unit_price", "file_id", "line", "loaded_at")
# psycopg binds at most 65,535 parameters per statement: 10,000 rows x 12 columns would not go
TO_SQL_CHUNK = min(10_000, 65_535 // len(COLUMNS))


def pandas_to_sql(conninfo: str, ndjson_gz: Path) -> None:
    import pandas as pd
    from sqlalchemy import create_engine

    from filegate.warehouse.connection import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(conninfo))
    now = pd.Timestamp.now(tz="UTC")
    with engine.begin() as conn:
        for chunk in pd.read_json(ndjson_gz, lines=True, chunksize=100_000, dtype={"unit_price": "float64"}):
            chunk = chunk.rename(columns={"_file_id": "file_id", "_line": "line"}).assign(loaded_at=now)
            chunk.to_sql("tracks", conn, schema="bench", if_exists="append", index=False, method="multi",
                         chunksize=TO_SQL_CHUNK)


def executemany_upsert(conninfo: str, ndjson_gz: Path) -> None:
    import orjson
    import psycopg
    from isal import igzip

    names = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "track_id")
    statement = (f"INSERT INTO bench.tracks ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
                 f" ON CONFLICT (track_id) DO UPDATE SET {updates}")
    fields = [c for c in COLUMNS if c not in ("file_id", "line", "loaded_at")]
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur, igzip.open(ndjson_gz, "rb") as f:
        now = conn.execute("SELECT now()").fetchone()[0]
        chunk = []
        for raw in f:
            r = orjson.loads(raw)
            chunk.append((*[r[c] for c in fields], r["_file_id"], r["_line"], now))
            if len(chunk) == 10_000:
                cur.executemany(statement, chunk)
                chunk.clear()
        cur.executemany(statement, chunk)


def filegate_publish(conninfo: str, batch_json: Path, timings: Path) -> None:
    from harness import taken_by

    from filegate.ingest import pipeline

    batch = json.loads(batch_json.read_text())
    spent = {}
    start = time.perf_counter()
    staged = pipeline.stage("raw_data", batch["run_id"], taken_by("stage", batch["converted"]), conninfo)
    spent["stage"] = time.perf_counter() - start
    start = time.perf_counter()
    audited = pipeline.audit("raw_data", batch["run_id"], staged, conninfo)
    spent["audit"] = time.perf_counter() - start
    if audited.rejected:
        raise SystemExit(f"the audit refused file(s) {audited.rejected}: the benchmark input must be clean")
    start = time.perf_counter()
    pipeline.publish("raw_data", batch["run_id"], audited, conninfo)
    spent["publish"] = time.perf_counter() - start
    timings.write_text(json.dumps(spent))


def floor_copy(conninfo: str, csv_path: Path) -> None:
    import psycopg

    with psycopg.connect(conninfo) as conn, conn.cursor() as cur, open(csv_path, "rb") as f:
        with cur.copy(f"COPY bench.tracks_floor ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv)") as copy:
            while chunk := f.read(1 << 20):
                copy.write(chunk)


if __name__ == "__main__":
    name, conninfo, source = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if name == "filegate":
        filegate_publish(conninfo, source, Path(sys.argv[4]))
    else:
        {"pandas": pandas_to_sql, "executemany": executemany_upsert, "floor": floor_copy}[name](conninfo, source)
