"""housing, side by side: the seed's dask.bag approach, pandas json_normalize, DuckDB, Polars and
filegate's convert (1 and 2 processes) flatten the same sales API responses, each run as its own
process, outputs checked equal (the same multiset of flattened rows); then filegate from landing
to published rows (claim, convert on 2 processes, stage, audit, publish, each step timed) against
a plain COPY of the same flattened rows into an unindexed table, in the same run.

  python bench/housing_bench.py                 # 322 files, 1,017,244 records (the seed's pull), 1 run
  python bench/housing_bench.py --smoke         # 6 files, 600 records: the harness cannot rot
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import os
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

import orjson
from harness import Bench, Measurement, measure, record, settle, work_folder

HERE = Path(__file__).resolve().parent

from convert_bench import summary, verdicts  # noqa: E402

ORDER = ("dask", "pandas", "duckdb", "polars", "filegate", "filegate-parallel")
TARGETS = {"dask": 1.0, "pandas": 1.0, "duckdb": 1.0, "polars": 1.0}   # faster than every contender
RSS_TARGET_MIB = 200
E2E_TARGET = 5.0   # landing -> published rows within 5x a plain COPY of the flattened rows
MASK = (1 << 64) - 1


def kinds() -> dict[str, str]:
    from filegate.datasets.housing.tables import SALES

    return {c.name: c.type for c in SALES.columns}


def canonical(row: dict, types: dict[str, str]) -> tuple:
    """A flattened row in one spelling: dates ISO, numbers as normalised decimals, text as is."""
    out = []
    for name, kind in types.items():
        value = row.get(name)
        if value is not None and value == value:   # NaN (pandas' missing value) is a null
            if kind == "date":
                y, m, d = str(value)[:10].split("-")
                value = f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
            elif kind in ("numeric", "integer", "bigint"):
                value = format(Decimal(str(value)).normalize(), "f")
            else:
                value = str(value)
        else:
            value = None
        out.append(value)
    return tuple(out)


def digest(out: Path) -> tuple[int, int]:
    """(rows, order-independent digest) of every `*.json.gz` directly under `out`."""
    types, count, total = kinds(), 0, 0
    for part in sorted(out.glob("*.json.gz")):
        with gzip.open(part, "rb") as f:
            for line in f:
                if line.strip():
                    row = canonical(orjson.loads(line), types)
                    total = (total + int.from_bytes(hashlib.blake2b(repr(row).encode(), digest_size=8).digest(),
                                                    "little")) & MASK
                    count += 1
    return count, total


def end_to_end(bench: Bench, landing: Path, flattened: Path, runs: int) -> tuple[list, list, list]:
    """filegate landing -> published rows (steps timed) and the COPY floor, each on a fresh copy
    of the migrated database, checkpointed before the clock starts."""
    import psycopg

    from filegate.warehouse import migrate

    template = bench.fresh_database("housing_template")
    migrate.upgrade(template)
    with psycopg.connect(template) as conn:
        conn.execute("CREATE SCHEMA bench; CREATE UNLOGGED TABLE bench.sales_floor (LIKE housing.sales)")
    bench.admin("ALTER DATABASE housing_template WITH is_template true")
    csv_rows = flattened.with_suffix(".csv")
    with gzip.open(flattened, "rb") as f, open(csv_rows, "w", newline="") as out:
        writer, names = csv.writer(out), list(kinds())
        for line in f:
            r = orjson.loads(line)
            writer.writerow([*(r[n] for n in names), r["_file_id"], r["_line"], "2026-01-01T00:00:00Z"])
    e2e, floor, steps = [], [], []
    contenders = [sys.executable, str(HERE / "housing_contenders.py")]
    for run in range(runs):
        conninfo = bench.fresh_database("housing_run", "housing_template")
        settle(conninfo)
        timings = bench.work / "e2e-timings.json"
        m = measure("filegate end to end", [*contenders, "e2e", str(landing), conninfo, str(bench.work / "scratch"),
                                            str(timings)])
        steps.append(json.loads(timings.read_text()))
        with psycopg.connect(conninfo) as conn:
            stored = conn.execute("SELECT count(*) FROM housing.sales").fetchone()[0]
        if stored != steps[-1]["expected_sales"] or not stored:
            raise SystemExit(f"end to end stored {stored} sales, expected {steps[-1]['expected_sales']}")
        e2e.append(m)
        conninfo = bench.fresh_database("housing_run", "housing_template")
        settle(conninfo)
        floor.append(measure("COPY floor", [*contenders, "copy-floor", str(csv_rows), conninfo]))
        print(f"run {run + 1}/{runs} end to end: {m.wall_s:.1f} s {steps[-1]}; COPY floor {floor[-1].wall_s:.1f} s",
              flush=True)
    return e2e, floor, steps



def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=322)
    parser.add_argument("--records", type=int, default=1_017_244)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="6 files, 600 records, 1 run, no results file")
    parser.add_argument("--work", type=work_folder, default=HERE / "data" / "housing")
    args = parser.parse_args(argv)
    files, records, runs = (6, 600, 1) if args.smoke else (args.files, args.records, args.runs)

    from filegate.datasets.housing.sample import write_volume

    landing = args.work / f"responses-{files}-{records}"
    if not landing.exists():
        print(f"generating {records:,} sales in {files} responses under {landing}", flush=True)
        started = time.perf_counter()
        size = write_volume(landing, files=files, records=records)
        print(f"  {size / 2**20:,.0f} MiB in {time.perf_counter() - started:.0f} s", flush=True)
    size_mib = sum(p.stat().st_size for p in landing.glob("*.json")) / 2**20
    out_root = args.work / "out"
    shutil.rmtree(out_root, ignore_errors=True)
    contenders = [sys.executable, str(HERE / "housing_contenders.py")]

    reference = out_root / "reference"
    measure("reference", [*contenders, "filegate", str(landing), str(reference)])
    expected = digest(reference)
    if expected[0] != records:
        raise SystemExit(f"filegate flattened {expected[0]} rows from {records} records")
    results: dict[str, list[Measurement]] = {name: [] for name in ORDER}
    for run in range(runs):
        for name in ORDER:
            out = out_root / f"{name}-{run}"
            m = measure(name, [*contenders, name, str(landing), str(out)])
            got = digest(out)
            if got != expected:
                raise SystemExit(f"{name}, run {run + 1}: {got[0]} rows, digest {got[1]:x}; filegate: "
                                 f"{expected[0]} rows, digest {expected[1]:x}")
            results[name].append(m)
            print(f"run {run + 1}/{runs} {name}: {m.wall_s:.2f} s, {m.peak_rss_mib:.0f} MiB", flush=True)
            shutil.rmtree(out)

    os.environ.setdefault("FILEGATE_MIN_FILE_AGE", "0")
    bench = Bench(args.work)
    try:
        e2e, floor, steps = end_to_end(bench, landing, reference / "sales.json.gz", runs)
    finally:
        from filegate import settings
        from filegate.ops import embedded

        embedded.stop(settings.load())
    e2e_wall = sorted(m.wall_s for m in e2e)[len(e2e) // 2]
    floor_wall = sorted(m.wall_s for m in floor)[len(floor) // 2]
    step_text = ", ".join(f"{k} {v:.1f} s" for k, v in steps[len(steps) // 2].items() if k != "expected_sales")
    ratio = e2e_wall / floor_wall
    text = (f"## housing side by side\n\n"
            f"Input: {records:,} sales in {files} API responses ({size_mib:,.0f} MiB, half pretty-printed), "
            f"{runs} run(s) each. Every contender's rows were checked equal to filegate's (the same multiset of "
            f"flattened rows, values compared as dates and decimals). Peak RSS is one process's own (dask: the "
            f"client process; its 2 workers are not counted).\n\nCommand: `python bench/housing_bench.py "
            f"--files {files} --records {records} --runs {runs}`\n\n{summary(results)}\n\n"
            f"Against issue 10's targets:\n\n{verdicts(results, 'filegate-parallel', TARGETS, RSS_TARGET_MIB)}\n"
            f"{verdicts(results, 'filegate', TARGETS, RSS_TARGET_MIB)}\n\n"
            f"End to end, landing to published rows (claim, convert on 2 processes, stage, audit with Great "
            f"Expectations, publish): {e2e_wall:.1f} s ({step_text}); a plain COPY of the same flattened rows "
            f"into an unindexed UNLOGGED table: {floor_wall:.1f} s; ratio {ratio:.1f}x (target within "
            f"{E2E_TARGET:g}x): {'met' if ratio <= E2E_TARGET else 'MISSED'}.\n")
    print(text)
    if not args.smoke:
        print(f"written to {record('housing', text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
