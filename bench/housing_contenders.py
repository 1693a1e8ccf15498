"""The housing contenders: each flattens landing/*.json (sales API responses) into NDJSON gzip
rows of the 18 `housing.sales` columns under <out>/. Run one as its own process:
python bench/housing_contenders.py <contender> <landing dir> <out dir>

  dask      the seed's approach: dask.bag.read_text(...).map(json.loads), the records plucked and
            flattened, .map(extract).to_dataframe(), written out, on a LocalCluster of 2 workers
  pandas    json.load per file, pandas.json_normalize of its records, the columns picked, all
            files concatenated, to_json(lines=True)
  duckdb    read_json over all files (schema from all of them), unnest(property), the nested fields
            selected, COPY ... TO json.gz
  polars    read_json per file, property exploded and the nested fields picked (null where a
            file's records never have them), concatenated, written as NDJSON through gzip
  filegate  filegate's converter as the DAG runs it (each file in turn, parts joined), one process
  filegate-parallel
            the same on one worker process per core (the DAG maps convert over groups of files)
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def columns() -> dict[str, str]:
    """{column: dotted source path} of housing.sales."""
    from filegate.datasets.housing.tables import SALES

    return {c.name: c.source for c in SALES.columns}


def extract(record: dict, paths: dict[str, str]) -> dict:
    """The seed's flattening: each column's value at its path, None where an object is missing."""
    row = {}
    for name, path in paths.items():
        value = record
        for step in path.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        row[name] = value
    return row


def responses(landing: Path) -> list[Path]:
    return sorted(landing.glob("*.json"))


def dask_bag(landing: Path, out: Path) -> None:
    import dask.bag as db
    import pandas as pd
    from dask.distributed import Client, LocalCluster

    paths = columns()
    meta = pd.DataFrame({name: pd.Series(dtype=object) for name in paths})
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        # a delimiter no response holds: each file is one element, pretty-printed or not
        bag = db.read_text(str(landing / "*.json"), linedelimiter="\x1e", blocksize=None)
        rows = bag.map(json.loads).pluck("property").flatten().map(extract, paths)
        rows.to_dataframe(meta=meta).to_json(str(out / "sales-*.json.gz"), orient="records", lines=True,
                                             compression="gzip")


def pandas_normalize(landing: Path, out: Path) -> None:
    import pandas as pd

    paths = columns()
    frames = []
    for path in responses(landing):
        with open(path) as f:
            records = json.load(f)["property"]
        flat = pd.json_normalize(records)
        frames.append(flat.reindex(columns=list(paths.values())).set_axis(list(paths), axis=1))
    pd.concat(frames, ignore_index=True).to_json(out / "sales.json.gz", orient="records", lines=True,
                                                 compression="gzip")


def duckdb_select(landing: Path, out: Path) -> None:
    import duckdb

    picks = ", ".join(f"p.{'.'.join(_quote(s) for s in path.split('.'))} AS {name}" for name, path in columns().items())
    con = duckdb.connect()
    # DuckDB's advice for large inputs; objects up to 64 MiB (a response is ~3 MiB): a larger limit is
    # allocated per thread up front (at 512 MiB it ran out of 18 GiB)
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"COPY (SELECT {picks} FROM (SELECT unnest(property) AS p FROM read_json('{landing}/*.json', "
        f"format='auto', sample_size=-1, maximum_object_size=67108864))) "
        f"TO '{out / 'sales.json.gz'}' (FORMAT json, COMPRESSION gzip)")


def _quote(step: str) -> str:
    return '"' + step.replace('"', '""') + '"'


def polars_unnest(landing: Path, out: Path) -> None:
    import polars as pl

    paths = columns()
    frames = []
    for path in responses(landing):
        records = pl.read_json(path, infer_schema_length=None).select(pl.col("property").explode()).unnest("property")
        frames.append(records.select([_field(records.schema, p).alias(name) for name, p in paths.items()]))
    flat = pl.concat(frames, how="vertical_relaxed")
    with gzip.open(out / "sales.json.gz", "wb", compresslevel=1) as f:
        flat.write_ndjson(f)


def _field(schema, path: str):
    """The expression for a dotted path, or a null literal when the file's records never hold it."""
    import polars as pl

    first, *rest = path.split(".")
    if first not in schema:
        return pl.lit(None)
    expr, dtype = pl.col(first), schema[first]
    for step in rest:
        if not isinstance(dtype, pl.Struct) or step not in {f.name for f in dtype.fields}:
            return pl.lit(None)
        dtype = next(f.dtype for f in dtype.fields if f.name == step)
        expr = expr.struct.field(step)
    return expr


def filegate_convert(landing: Path, out: Path, workers: int = 1) -> None:
    from harness import convert_alone

    from filegate.ingest.convert import combine_parts

    converted = convert_alone("housing", responses(landing), out, workers, chunksize=8)
    combine_parts(out, "sales", [file_id for file_id, rows in converted if rows.get("sales")])


def end_to_end(landing: Path, conninfo: str, data_root: Path, timings: Path) -> None:
    """filegate from landing to published rows, as the DAG runs its steps (convert mapped on 2
    processes); the time of each step, and the sales expected, go to <timings>."""
    from harness import deliver

    spent, converted = deliver("housing", responses(landing), landing, conninfo, data_root, workers=2, chunksize=8)
    # keys are unique
    spent["expected_sales"] = sum(c.rows.get("sales", 0) for c in converted if c.outcome == "converted")
    timings.write_text(json.dumps(spent))


def copy_floor(csv_rows: Path, conninfo: str) -> None:
    import psycopg

    names = [*columns(), "file_id", "line", "loaded_at"]
    with psycopg.connect(conninfo) as conn, open(csv_rows, "rb") as f:
        with conn.cursor().copy(f"COPY bench.sales_floor ({', '.join(names)}) FROM STDIN (FORMAT csv)") as copy:
            while chunk := f.read(1 << 20):
                copy.write(chunk)


CONTENDERS = {"dask": dask_bag, "pandas": pandas_normalize, "duckdb": duckdb_select, "polars": polars_unnest,
              "filegate": filegate_convert, "filegate-parallel": lambda l, o: filegate_convert(l, o, workers=2)}

if __name__ == "__main__":
    if sys.argv[1] == "e2e":
        end_to_end(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5]))
    elif sys.argv[1] == "copy-floor":
        copy_floor(Path(sys.argv[2]), sys.argv[3])
    else:
        name, landing, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
        out.mkdir(parents=True, exist_ok=True)
        CONTENDERS[name](landing, out)
