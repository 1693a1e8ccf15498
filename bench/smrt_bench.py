"""SMRT end to end: millions of readings from landing to published rows through the real
`smrt_ingest` DAG (`airflow dags test`, on a fresh embedded environment), with the time of each
step read back from Airflow's own task records, so the slowest step is visible.

  python bench/smrt_bench.py                          # 5,000,000 readings in 50 files
  python bench/smrt_bench.py --smoke                  # 20,000 readings in 4 files (tests run it)

`airflow dags test` runs the mapped convert tasks one after another; under the scheduler they run
side by side up to `[core] parallelism`, so `convert` is shown both as the sum of its task
instances and as the wall time from the first start to the last end.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from harness import record, work_folder

HERE = Path(__file__).resolve().parent

STEPS = ("wait_for_files", "claim", "convert", "stage", "audit", "publish")


def step_times(run_id: str) -> list[tuple[str, int, float, float]]:
    """(task, instances, summed duration s, wall span s) per step of the run, from Airflow's metadata DB."""
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT task_id, count(*), sum(extract(epoch FROM end_date - start_date)),"
            " extract(epoch FROM max(end_date) - min(start_date))"
            " FROM task_instance WHERE dag_id = 'smrt_ingest' AND run_id = :run GROUP BY task_id"),
            {"run": run_id}).all()
    by_task = {r[0]: (r[0], r[1], float(r[2] or 0), float(r[3] or 0)) for r in rows}
    return [by_task[s] for s in STEPS if s in by_task]


def latest_run_id() -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    with engine.connect() as conn:
        return conn.execute(text("SELECT run_id FROM dag_run WHERE dag_id = 'smrt_ingest'"
                                 " ORDER BY start_date DESC LIMIT 1")).scalar_one()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readings", type=int, default=5_000_000)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--smoke", action="store_true", help="20,000 readings in 4 files, no results file")
    parser.add_argument("--work", type=work_folder, default=HERE / "data" / "smrt")
    args = parser.parse_args(argv)
    readings, files = (20_000, 4) if args.smoke else (args.readings, args.files)

    state, data = args.work / "state", args.work / "data"
    os.environ.update(FILEGATE_STATE_DIR=str(state), FILEGATE_DATA_ROOT=str(data), FILEGATE_MIN_FILE_AGE="0")
    from filegate import settings
    from filegate.datasets.smrt.sample import write_volume
    from filegate.ops import cli, embedded, processes
    from filegate.warehouse.connection import connect, conninfo_from_env

    s = settings.load()
    embedded.stop(s)   # a fresh environment every time: nothing loaded before
    shutil.rmtree(args.work, ignore_errors=True)
    print(f"writing {readings:,} readings in {files} SMRT files", flush=True)
    paths = write_volume(s.landing / "smrt", readings, files=files)
    size = sum(p.stat().st_size for p in paths)
    try:
        os.environ.update(embedded.airflow_environment(s, embedded.prepare(s)))
        cli.migrate_databases(s)
        quick = {"FILEGATE_POKE_INTERVAL": "1", "FILEGATE_SENSOR_TIMEOUT": "60"}
        start = time.perf_counter()
        if processes.airflow(["dags", "test", "smrt_ingest"], "bench-smrt_ingest", s, quick) != 0:
            raise SystemExit("smrt_ingest failed: see the log above")
        wall = time.perf_counter() - start
        steps = step_times(latest_run_id())
        with connect(conninfo_from_env()) as conn:
            stored = conn.execute("SELECT count(*) FROM smrt.readings").fetchone()[0]
            loaded = conn.execute("SELECT count(*) FROM filegate.files WHERE status = 'loaded'").fetchone()[0]
        if stored != readings or loaded != files:   # speed never at the cost of correctness
            raise SystemExit(f"{stored:,} readings stored from {loaded} files; expected {readings:,} from {files}")
    finally:
        embedded.stop(s)

    busy = sum(t[2] for t in steps)
    lines = ["| step | task instances | task time s (sum) | wall s (first start to last end) | share of task time |",
             "|---|---|---|---|---|"]
    lines += [f"| {task} | {n} | {spent:.1f} | {span:.1f} | {spent / busy:.0%} |" for task, n, spent, span in steps]
    slowest = max(steps, key=lambda t: t[2])[0]
    text = (f"## SMRT end to end through smrt_ingest\n\n{readings:,} readings in {files} files "
            f"({size / 2**20:,.0f} MiB) from landing to `smrt.readings`, every reading checked stored. "
            f"`airflow dags test smrt_ingest` took {wall:.1f} s in all ({wall - busy:.1f} s of it Airflow "
            f"start-up and scheduling between tasks); {readings / busy:,.0f} readings/s over the task time. "
            f"Slowest step: **{slowest}**.\n\nCommand: `python bench/smrt_bench.py --readings {readings} "
            f"--files {files}`\n\n" + "\n".join(lines) + "\n")
    print(text)
    if not args.smoke:
        print(f"written to {record('smrt-e2e', text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
