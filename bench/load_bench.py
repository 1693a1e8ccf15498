"""Load, side by side: textbook pandas to_sql, psycopg executemany upsert, filegate's stage + audit +
publish and the plain-COPY floor, on the same rows, alternating, each run as its own process against
the same embedded PostgreSQL; the loaded table is checked equal to the input every run.

Two scenarios: into an empty keyed table, and as an upsert where every other key already exists
(with different values, which the load must replace). pandas only appends, so it runs only on the
empty table. Every contender starts from filegate's converted NDJSON (or, for the floor, the
same rows as CSV), because loading is what comes after convert.

  python bench/load_bench.py                  # 2,000,000 track rows, 3 runs
  python bench/load_bench.py --smoke          # tiny data, 1 run: the harness cannot rot (tests run it)
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import shutil
import statistics
import sys
from pathlib import Path

from harness import Bench, Measurement, as_json, convert_mapped, land, measure, record, settle, work_folder

HERE = Path(__file__).resolve().parent

from convert_bench import summary, tracks_landing, verdicts  # noqa: E402
from load_contenders import COLUMNS, TO_SQL_CHUNK  # noqa: E402

SCENARIOS = {"empty": ("pandas", "executemany", "filegate", "floor"),
             "upsert": ("executemany", "filegate", "floor")}
# issue 4's publish targets: filegate at least this many times faster (the floor: within 3x)
TARGETS = {"pandas": 10.0, "executemany": 3.0, "floor": 1 / 3}
PUBLISH_TARGETS = {"empty": 3.0, "upsert": 4.0}   # issue 15: the publish step within this many plain COPYs
AUDIT_SHARE = 0.25                                # issue 15: the audit at most this share of stage + publish
DIGEST = ("SELECT count(*), coalesce(sum(hashtextextended(row({cols})::text, 0)), 0) FROM {table}"
          .replace("{cols}", ", ".join(COLUMNS[:9])))
BENCH_TABLES = """
CREATE SCHEMA bench;
CREATE TABLE bench.tracks (LIKE raw_data.tracks INCLUDING ALL);            -- keyed, indexed, logged
CREATE UNLOGGED TABLE bench.tracks_floor (LIKE raw_data.tracks);            -- no key, no index
CREATE UNLOGGED TABLE bench.new_rows (LIKE raw_data.tracks);                -- the input, for checks
"""



def digest(conninfo: str, table: str) -> tuple:
    import psycopg

    with psycopg.connect(conninfo) as conn:
        return tuple(conn.execute(DIGEST.replace("{table}", table)).fetchone())


def claim_and_convert(conninfo: str, landing: Path, run_id: str, data_root: Path) -> Path:
    """What the DAG does before stage (not measured): the raw files claimed and converted, as
    a JSON description of the batch for the filegate contender."""
    from filegate.ingest import pipeline

    land((raw for raw in landing.rglob("*") if raw.is_file()), landing, data_root, "raw_data")
    os.environ["FILEGATE_DATA_ROOT"] = str(data_root)
    files = pipeline.claim("raw_data", run_id, conninfo)
    if not files:
        raise SystemExit(f"nothing to claim in {landing}: the benchmark input is missing")
    converted = convert_mapped("raw_data", files, conninfo, workers=1, run_id=run_id)
    batch = data_root / "batch.json"
    batch.write_text(json.dumps({"run_id": run_id, "converted": as_json(converted)}))
    return batch


def prepare(bench: Bench, landing: Path, inputs: Path) -> None:
    """The template database (schema migrated, bench tables, the input rows) and the inputs: the
    converted tracks NDJSON gzip and the same rows as CSV for the floor."""
    import orjson
    import psycopg

    from filegate import settings
    from filegate.ingest import pipeline
    from filegate.ingest.convert import combine_parts
    from filegate.warehouse import migrate

    conninfo = bench.fresh_database("bench_template")
    migrate.upgrade(conninfo)
    batch = json.loads(claim_and_convert(conninfo, landing, "bench_prepare", bench.work / "scratch")
                       .read_text())
    file_ids = [c["file_id"] for c in batch["converted"]]
    ndjson = combine_parts(pipeline.run_dir(settings.load(), "raw_data", "bench_prepare"), "tracks", file_ids)
    inputs.mkdir(parents=True, exist_ok=True)
    shutil.copy(ndjson, inputs / "tracks.json.gz")
    with gzip.open(ndjson, "rb") as f, open(inputs / "tracks.csv", "w", newline="") as out:
        writer = csv.writer(out)
        for raw in f:
            r = orjson.loads(raw)
            writer.writerow([*(r[c] for c in COLUMNS[:9]), r["_file_id"], r["_line"], "2026-01-01T00:00:00Z"])
    with psycopg.connect(conninfo) as conn:
        conn.execute(BENCH_TABLES)
        # the registry keeps only the schema: each run claims its files afresh
        conn.execute("TRUNCATE filegate.files CASCADE")
        with conn.cursor().copy(f"COPY bench.new_rows ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv)") as copy, \
                open(inputs / "tracks.csv", "rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
    bench.admin("ALTER DATABASE bench_template WITH is_template true")


def preload_half(conninfo: str, contender: str) -> None:
    """Every other key already stored, with other values: the upsert must replace them."""
    import psycopg

    old = ("SELECT track_id, name || ' (old)', album_id, media_type_id, genre_id, composer, milliseconds,"
           " bytes, unit_price + 1, {file_id}, line, now() FROM bench.new_rows WHERE track_id % 2 = 0")
    with psycopg.connect(conninfo) as conn:
        if contender == "filegate":
            file_id = conn.execute(
                "INSERT INTO filegate.files (dataset, filename, received_at, size_bytes, sha256, status,"
                " run_id, reloadable, loaded_at) VALUES ('raw_data', 'tracks/preload.csv', now(), 0, '',"
                " 'loaded', 'bench_preload', true, now()) RETURNING file_id").fetchone()[0]
            conn.execute(f"INSERT INTO raw_data.tracks ({', '.join(COLUMNS)}) " + old.format(file_id=file_id))
        elif contender != "floor":
            conn.execute(f"INSERT INTO bench.tracks ({', '.join(COLUMNS)}) " + old.format(file_id="file_id"))



def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pandas-runs", type=int, default=1,
                        help="runs of the pandas contender (about 20 min each at 2,000,000 rows on 2 cores)")
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, 1 run, no results file")
    parser.add_argument("--work", type=work_folder, default=HERE / "data" / "load")
    args = parser.parse_args(argv)
    rows, runs = (2_000, 1) if args.smoke else (args.rows, args.runs)

    from filegate import settings
    from filegate.ops import embedded

    landing = tracks_landing(args.work, rows)
    bench = Bench(args.work)
    try:
        inputs = args.work / "inputs"
        prepare(bench, landing, inputs)
        expected = digest(bench.conninfo("bench_template"), "bench.new_rows")
        results = {s: {c: [] for c in cs} for s, cs in SCENARIOS.items()}
        steps = {s: [] for s in SCENARIOS}
        contenders = [sys.executable, str(HERE / "load_contenders.py")]
        for run in range(runs):
            for scenario, names in SCENARIOS.items():
                for name in names:
                    if name == "pandas" and run >= args.pandas_runs:
                        continue
                    conninfo = bench.fresh_database("bench_run", "bench_template")
                    if scenario == "upsert":
                        preload_half(conninfo, name)
                    timings = args.work / "timings.json"
                    if name == "filegate":
                        source = claim_and_convert(conninfo, landing, f"bench_{scenario}_{run}",
                                                         args.work / "runs" / f"{scenario}-{run}")
                    else:
                        source = inputs / ("tracks.csv" if name == "floor" else "tracks.json.gz")
                    settle(conninfo, vacuum=True)
                    m = measure(name, [*contenders, name, conninfo, str(source), str(timings)])
                    table = {"filegate": "raw_data.tracks", "floor": "bench.tracks_floor"}.get(name, "bench.tracks")
                    got = digest(conninfo, table)
                    if got != expected:   # speed never at the cost of correctness
                        raise SystemExit(f"{scenario}, {name}, run {run + 1}: table holds {got}, expected {expected}")
                    results[scenario][name].append(m)
                    if name == "filegate":
                        steps[scenario].append(json.loads(timings.read_text()))
                    print(f"run {run + 1}/{runs} {scenario} {name}: {m.wall_s:.2f} s, {m.peak_rss_mib:.0f} MiB",
                          flush=True)
        text = report(rows, runs, results, steps, args.pandas_runs)
        print(text)
        if not args.smoke:
            print(f"written to {record('load', text)}")
    finally:
        bench.admin("DROP DATABASE IF EXISTS bench_run WITH (FORCE)")
        embedded.stop(settings.load())
    return 0


def report(rows: int, runs: int, results: dict, steps: dict, pandas_runs: int = 1) -> str:
    parts = [f"## load side by side\n\nInput: {rows:,} converted track rows (filegate's NDJSON gzip; the "
             f"floor reads the same rows as CSV). {runs} run(s) each, alternating, each run on a fresh copy of "
             f"the migrated database, checkpointed before the clock starts; every run's table checked equal "
             f"to the input. Wall time includes connecting and reading the input; CPU and RSS are the "
             f"client's (the server's work shows in wall time only). `filegate` is stage + audit + publish "
             f"(it also loads the 4 small parent tables, and its target has indexed lineage); "
             f"`filegate without audit` is its stage + publish steps alone.\n\n"
             f"pandas ran {min(pandas_runs, runs)} time(s) only: at this size one run takes many minutes, and "
             f"its distance from the others does not hang on the run. Its `to_sql` writes "
             f"{TO_SQL_CHUNK:,} rows per statement, not 10,000: PostgreSQL takes at most 65,535 parameters "
             f"per statement, and 10,000 rows of 12 columns would be 120,000.\n\n"
             f"Command: `python bench/load_bench.py --rows {rows} --runs {runs} --pandas-runs {pandas_runs}`\n"]
    for scenario, runs_by_name in results.items():
        split = steps[scenario]
        # derived from the step timings, not measured as a process: no CPU or RSS of its own
        without_audit = [Measurement("filegate without audit", s["stage"] + s["publish"], float("nan"),
                                     float("nan")) for s in split]
        # a contender that did not run (`--pandas-runs 0`) has no row
        table = {name: ms for name, ms in {**runs_by_name, "filegate without audit": without_audit}.items() if ms}
        step_line = ", ".join(f"{k} {statistics.median(s[k] for s in split):.2f} s" for k in ("stage", "audit", "publish"))
        audit_share = (statistics.median(s["audit"] for s in split)
                       / statistics.median(s["stage"] + s["publish"] for s in split))
        copy = statistics.median(m.wall_s for m in runs_by_name["floor"])
        publish = statistics.median(s["publish"] for s in split) / copy
        loaded = statistics.median(s["stage"] + s["publish"] for s in split) / copy
        title = ("into an empty table" if scenario == "empty"
                 else "as an upsert, every other key already stored")
        parts.append(f"### {title}\n\n{summary(table)}\n\nfilegate's steps (medians): {step_line}. The audit "
                     f"adds {audit_share:.0%} to stage + publish (target ≤ {AUDIT_SHARE:.0%}: "
                     f"{'met' if audit_share <= AUDIT_SHARE else 'MISSED'}). Publish takes {publish:.2f}x the "
                     f"plain COPY (target within {PUBLISH_TARGETS[scenario]:g}x: "
                     f"{'met' if publish <= PUBLISH_TARGETS[scenario] else 'MISSED'}); stage + publish "
                     f"{loaded:.2f}x.\n\nAgainst issue 4's targets:\n\n"
                     f"{verdicts(table, 'filegate', TARGETS)}\n"
                     f"{verdicts(table, 'filegate without audit', TARGETS)}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
