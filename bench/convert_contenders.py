"""The convert contenders: each turns landing/raw_data/<table>/* into <out>/<table>.json.gz.
Run one as its own process: python bench/convert_contenders.py <contender> <landing dir> <out dir>

  pandas    the textbook approach: read_csv / read_json(lines=True) in chunks of 1000, each chunk
            to_json(orient="records", lines=True) into a buffer written through gzip.open (level 9)
  duckdb    COPY (SELECT ... FROM read_csv / read_json ...) TO '<table>.json.gz'
  polars    lazy scan_csv / scan_ndjson per file (read_json for a JSON array) with the sniffed
            delimiter and the declared types, names in snake_case, the files of a table
            concatenated and sunk by sink_ndjson(compression="gzip", compression_level=1)
  filegate  filegate's converter as the DAG runs it (per file, then parts joined per table), one process
  filegate-parallel
            the same with one worker process per core: the DAG's convert task is mapped per file,
            so Airflow runs files side by side up to its parallelism
  floor     reading the input bytes and compressing the finished output (prepared beforehand,
            uncompressed, in $FLOOR_NDJSON/<table>.ndjson) at filegate's level: nothing can do
            the job faster
"""
from __future__ import annotations

import csv
import gzip
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tables(landing: Path) -> dict[str, list[Path]]:
    return {d.name: sorted(p for p in d.iterdir() if p.is_file()) for d in sorted(landing.iterdir()) if d.is_dir()}


def pandas_textbook(landing: Path, out: Path) -> None:
    import pandas as pd

    from filegate.kit.readers import detect_format, sniff_delimiter

    for table, files in tables(landing).items():
        gz = gzip.open(out / f"{table}.json.gz", "wt", encoding="utf-8")   # level 9, the default
        for path in files:
            kind = detect_format(path)
            if kind == "csv":
                with open(path, encoding="utf-8-sig") as f:
                    sep = sniff_delimiter(f.readline())
                chunks = pd.read_csv(path, sep=sep, chunksize=1000, encoding="utf-8-sig")
            elif kind == "ndjson":
                chunks = pd.read_json(path, lines=True, chunksize=1000)
            else:
                chunks = [pd.read_json(path)]   # a JSON array cannot be read in chunks
            for chunk in chunks:
                text = chunk.to_json(orient="records", lines=True)   # each chunk into a buffer...
                gz.write(text if text.endswith("\n") else text + "\n")   # ...written through gzip
        gz.close()


def duckdb_copy(landing: Path, out: Path) -> None:
    import duckdb

    from filegate.kit.readers import detect_format

    con = duckdb.connect()
    for table, files in tables(landing).items():
        parts = []
        for path in files:
            if detect_format(path) == "csv":
                parts.append(f"SELECT * FROM read_csv('{path}', header=true, auto_detect=true)")
            else:
                fmt = "newline_delimited" if detect_format(path) == "ndjson" else "array"
                parts.append(f"SELECT * FROM read_json('{path}', format='{fmt}')")
        query = " UNION ALL BY NAME ".join(parts)
        con.execute(f"COPY ({query}) TO '{out / (table + '.json.gz')}' (FORMAT json, COMPRESSION gzip)")


POLARS_TYPES = {"bigint": "Int64", "integer": "Int32", "text": "String", "numeric": "Float64"}


def polars_lazy(landing: Path, out: Path) -> None:
    import json

    import polars as pl

    from filegate import datasets
    from filegate.kit.readers import detect_format, sniff_delimiter
    from filegate.kit.tables import match_key

    declared = {t.name: t for t in datasets.get("raw_data").loaded_tables}
    for table, files in tables(landing).items():
        by_key = {match_key(c.source): c for c in declared[table].columns}
        frames = []
        for path in files:
            kind = detect_format(path)
            with open(path, encoding="utf-8-sig") as f:
                first = f.readline()
            if kind == "csv":
                separator = sniff_delimiter(first)
                names = next(csv.reader([first], delimiter=separator))
            elif kind == "ndjson":
                names = list(json.loads(first))
            else:   # a JSON array: its first record's names (the generator writes a record per line)
                with open(path, encoding="utf-8") as f:
                    f.readline()
                    names = list(json.loads(f.readline().strip().rstrip(",")))
            schema = {n: getattr(pl, POLARS_TYPES[by_key[match_key(n)].type]) for n in names}
            if kind == "csv":
                frame = pl.scan_csv(path, separator=separator, schema=schema, encoding="utf8")
            elif kind == "ndjson":
                frame = pl.scan_ndjson(path, schema=schema)
            else:
                frame = pl.read_json(path, schema=schema).lazy()
            frames.append(frame.rename({n: by_key[match_key(n)].name for n in names}))
        pl.concat(frames, how="diagonal_relaxed").sink_ndjson(
            out / f"{table}.json.gz", compression="gzip", compression_level=1)


def filegate_convert(landing: Path, out: Path, workers: int = 1) -> None:
    from harness import convert_alone

    from filegate.ingest.convert import combine_parts

    paths = [p for files in tables(landing).values() for p in files]
    ids: dict[str, list[int]] = {}
    for file_id, rows in convert_alone("raw_data", paths, out, workers):
        for name in rows:
            ids.setdefault(name, []).append(file_id)
    for table, file_ids in ids.items():
        combine_parts(out, table, file_ids)


def floor(landing: Path, out: Path) -> None:
    from filegate import settings
    from filegate.kit.readers.compressed import open_gzip

    for files in tables(landing).values():
        for path in files:
            with open(path, "rb") as f:
                while f.read(1 << 20):
                    pass
    level = settings.load().gzip_level
    for ndjson in sorted(Path(os.environ["FLOOR_NDJSON"]).glob("*.ndjson")):
        with open(ndjson, "rb") as f, open_gzip(out / f"{ndjson.stem}.json.gz", level) as g:
            while chunk := f.read(1 << 20):
                g.write(chunk)


CONTENDERS = {"pandas": pandas_textbook, "duckdb": duckdb_copy, "polars": polars_lazy, "filegate": filegate_convert,
              "filegate-parallel": lambda landing, out: filegate_convert(landing, out, os.cpu_count() or 1),
              "floor": floor}

if __name__ == "__main__":
    name, landing, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    CONTENDERS[name](landing, out)
