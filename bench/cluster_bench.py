"""Distributed mode measured: the 2,000,000-row raw_data folder (convert_bench's) through
`raw_data_ingest` on `make cluster`, as the scheduler runs it, with 1 and 2 Celery workers.

Each configuration gets a fresh environment (state folder, data root, ports). In it:
1. `make cluster`; memory at rest (PSS of each part's whole process tree, after the DAGs are parsed);
2. a small delivery (12 files of a few rows) warms the workers and gives the fixed cost of a task:
   the time a convert task of a tiny file takes, and its wait from queued to running;
3. the 2,000,000-row folder (14 files, one convert task each): convert wall time (first convert
   start to last convert end), every step's time, landing → published, and memory under load
   (the largest PSS sum seen, sampled every second);
4. `make cluster-down`.
Stored rows are checked equal to the input's count each time.

On one 2-core machine, more workers means more task slots, not more cores: configurations with 1
slot in all (1 worker × concurrency 1) and 2 slots (2 × 1, and 1 × 2 for comparison) are run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "plugins"))
from harness import machine, record, work_folder  # noqa: E402

from filegate.ops.processes import free_port  # noqa: E402

CONFIGS = ((1, 1), (2, 1), (1, 2))   # (workers, concurrency)
STEPS = ("wait_for_files", "claim", "convert", "stage", "audit", "publish")


def environment(work: Path, workers: int, concurrency: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "FILEGATE_"))}
    return {**env, "FILEGATE_STATE_DIR": str(work / "state"), "FILEGATE_DATA_ROOT": str(work / "data"),
            "FILEGATE_WORKERS": str(workers), "FILEGATE_CLUSTER_WORKER_CONCURRENCY": str(concurrency),
            "FILEGATE_CLUSTER_PG_PORT": str(free_port()), "FILEGATE_CLUSTER_REDIS_PORT": str(free_port()),
            "FILEGATE_CLUSTER_LOG_PORT": str(free_port(workers)), "AIRFLOW__API__PORT": str(free_port()),
            "FILEGATE_MIN_FILE_AGE": "0", "FILEGATE_POKE_INTERVAL": "2", "FILEGATE_RAW_DATA_SCHEDULE": "@once"}


def make(target: str, env: dict) -> str:
    done = subprocess.run(["make", "-s", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"make {target} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def control_env(env: dict) -> dict:
    """The scheduler's environment as `make cluster` computes it for this configuration."""
    code = ("import json; from filegate import settings; from filegate.ops import cluster; s = settings.load(); "
            "c = settings.load(cluster.ClusterSettings); print(json.dumps(cluster.role_environment("
            "s, 'scheduler', cluster.shared_environment(s, c, cluster.cluster_secrets(s)))))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def airflow(env: dict, *args: str) -> None:
    subprocess.run([str(Path(sys.executable).with_name("airflow")), *args], env=env, cwd=ROOT,
                   capture_output=True, text=True, check=True, timeout=300)


def query(conninfo: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def conninfo(env: dict, dbname: str) -> str:
    secrets = json.loads((Path(env["FILEGATE_STATE_DIR"]) / "cluster" / "secrets.json").read_text())
    return (f"host=127.0.0.1 port={env['FILEGATE_CLUSTER_PG_PORT']} user=postgres "
            f"password={secrets['pg_password']} dbname={dbname}")


def last_run_id(metadata: str) -> int:
    return query(metadata, "SELECT coalesce(max(id), 0) FROM dag_run")[0][0]


def wait_run(metadata: str, after: int, seconds: float = 1800) -> str:
    """The run_id of the raw_data_ingest run made after run number `after`, once it succeeded."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        rows = query(metadata, "SELECT run_id, state FROM dag_run WHERE dag_id = 'raw_data_ingest' AND id > %s"
                               " ORDER BY id DESC LIMIT 1", (after,))
        if rows and rows[0][1] in ("success", "failed"):
            if rows[0][1] != "success":
                raise SystemExit(f"raw_data_ingest {rows[0][0]} failed: see the cluster's logs")
            return rows[0][0]
        time.sleep(1)
    raise SystemExit(f"raw_data_ingest did not finish within {seconds} s")


def pss_by_part(state: Path) -> dict[str, float]:
    """MiB of proportional set size of each part's process tree (PostgreSQL: its postmaster's)."""
    import psutil

    sizes = {}
    for pid_file in sorted((state / "cluster" / "pids").glob("*.pid")):
        total = 0
        try:
            root = psutil.Process(int(pid_file.read_text().split()[0]))
            for proc in (root, *root.children(recursive=True)):
                try:
                    total += proc.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
        except psutil.NoSuchProcess:
            continue
        sizes[pid_file.stem] = total / 2**20
    return sizes


class Sampler(threading.Thread):
    """Sample PSS every second until stopped; keep the largest total and each part's largest."""
    def __init__(self, state: Path):
        super().__init__(daemon=True)
        self.state, self.done, self.peak_total, self.peak = state, threading.Event(), 0.0, {}

    def run(self):
        while not self.done.is_set():
            sizes = pss_by_part(self.state)
            self.peak_total = max(self.peak_total, sum(sizes.values()))
            for name, mib in sizes.items():
                self.peak[name] = max(self.peak.get(name, 0.0), mib)
            self.done.wait(1)


def task_times(metadata: str, run_id: str) -> dict:
    rows = query(metadata, "SELECT task_id, start_date, end_date, queued_dttm, hostname FROM task_instance"
                           " WHERE dag_id = 'raw_data_ingest' AND run_id = %s", (run_id,))
    converts = [r for r in rows if r[0] == "convert"]
    steps = {task: sum((r[2] - r[1]).total_seconds() for r in rows if r[0] == task) for task in STEPS}
    run = query(metadata, "SELECT start_date, end_date FROM dag_run WHERE dag_id = 'raw_data_ingest' AND run_id = %s",
                (run_id,))[0]
    return {"convert_wall": (max(r[2] for r in converts) - min(r[1] for r in converts)).total_seconds(),
            "convert_median": statistics.median((r[2] - r[1]).total_seconds() for r in converts),
            "queued_median": statistics.median((r[1] - r[3]).total_seconds() for r in converts if r[3]),
            "tasks": len(converts), "hosts": len({r[4] for r in converts}),
            "steps": {k: v for k, v in steps.items() if k != "convert"},
            "end_to_end": (run[1] - run[0]).total_seconds()}


def deliver(source: Path, landing: Path) -> None:
    shutil.copytree(source, landing, copy_function=shutil.copy2, dirs_exist_ok=True)


def one_config(work: Path, workers: int, concurrency: int, folder: Path, rows: int) -> dict:
    from filegate.datasets.raw_data.sample import write_volume

    shutil.rmtree(work, ignore_errors=True)
    env = environment(work, workers, concurrency)
    landing = work / "data" / "landing" / "raw_data"
    warmup = work / "warmup"
    write_volume(warmup, tracks=120, parts=8, seed=2)   # the small delivery: 12 files, names of their own
    for path in warmup.rglob("*.*"):                    # (in landing first: `make cluster` then writes no samples)
        target = landing / path.parent.name / f"warmup_{path.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    started = time.perf_counter()
    try:
        make("cluster", env)
        start_s = time.perf_counter() - started
        control, metadata = control_env(env), conninfo(env, "airflow")
        airflow(control, "dags", "reserialize")
        time.sleep(10)   # settle after start-up and parsing
        rest = pss_by_part(work / "state")
        before = last_run_id(metadata)
        airflow(control, "dags", "unpause", "raw_data_ingest")
        small = task_times(metadata, wait_run(metadata, before))
        deliver(folder, landing)
        before = last_run_id(metadata)
        sampler = Sampler(work / "state")
        sampler.start()
        airflow(control, "dags", "trigger", "raw_data_ingest")
        big = task_times(metadata, wait_run(metadata, before))
        sampler.done.set()
        sampler.join()
        stored = query(conninfo(env, "warehouse"), "SELECT count(*) FROM raw_data.tracks")[0][0]
        if stored != rows:
            raise SystemExit(f"{workers}×{concurrency}: {stored:,} tracks stored, expected {rows:,}")
    finally:
        make("cluster-down", env)
    return {"workers": workers, "concurrency": concurrency, "start_s": start_s, "rest": rest, "small": small,
            "big": big, "peak_total": sampler.peak_total, "peak": sampler.peak}


def overhead(r: dict) -> tuple[float, float]:
    """(slot-seconds per convert task of the small delivery, of which fixed cost): the tasks
    are tiny, so what a slot spends on one beyond its run time is the cost of being a task
    (scheduling, Celery, the task process's start and its DAG parse)."""
    small = r["small"]
    per_task = small["convert_wall"] * r["workers"] * r["concurrency"] / small["tasks"]
    return per_task, per_task - small["convert_median"]


def report(results: list[dict]) -> str:
    lines = ["| workers × concurrency | convert wall (s) | convert tasks: count, median run (s), workers used "
             "| stage / audit / publish (s) | landing → published (s) | fixed cost per task (s) | `make cluster` (s) |",
             "|" + "---|" * 7]
    for r in results:
        b = r["big"]
        lines.append(f"| {r['workers']} × {r['concurrency']} | {b['convert_wall']:.1f} | {b['tasks']}, "
                     f"{b['convert_median']:.1f}, {b['hosts']} | {b['steps']['stage']:.1f} / {b['steps']['audit']:.1f} / "
                     f"{b['steps']['publish']:.1f} | {b['end_to_end']:.1f} | {overhead(r)[1]:.1f} "
                     f"| {r['start_s']:.0f} |")
    if len(results) > 1:
        one, two = results[0]["big"], results[1]["big"]
        lines += ["", f"From 1 to 2 workers (1 slot each): convert {one['convert_wall'] / two['convert_wall']:.2f}× "
                  f"as fast, landing → published {one['end_to_end'] / two['end_to_end']:.2f}×."]
    lines += ["", "Fixed cost per task: a slot's time per convert task of the small delivery "
              f"({results[0]['small']['tasks']} tasks of a few rows) less the task's own run time.",
              "", "Memory (PSS, MiB; each part's whole process tree):", "",
              "| workers × concurrency | at rest: total | at rest, by part | under load: largest total |",
              "|---|---|---|---|"]
    for r in results:
        parts = ", ".join(f"{name} {mib:.0f}" for name, mib in sorted(r["rest"].items()))
        lines.append(f"| {r['workers']} × {r['concurrency']} | {sum(r['rest'].values()):.0f} | {parts} "
                     f"| {r['peak_total']:.0f} |")
    return "\n".join(lines)


def section(results: list[dict], rows: int) -> str:
    return (f"## cluster: raw_data_ingest on make cluster\n\nMachine: {machine()}. Input: convert_bench's "
            f"{rows:,} track rows in 10 files plus the parent tables, delivered after a small warm-up delivery "
            f"of 12 files (three parent tables of which the big delivery repeats, refused as duplicates: 11 "
            f"convert tasks). Every run stored all {rows:,} tracks.\n\n"
            f"Command: `python bench/cluster_bench.py --rows {rows}`\n\n{report(results)}\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, 2 workers only, no results file")
    parser.add_argument("--work", type=work_folder, default=HERE / "data" / "cluster")
    args = parser.parse_args(argv)
    rows = 2_000 if args.smoke else args.rows
    configs = CONFIGS[1:2] if args.smoke else CONFIGS

    folder = HERE / "data" / "convert" / f"tracks-{rows}" / "raw_data"
    if not folder.exists():
        from filegate.datasets.raw_data.sample import write_volume

        print(f"generating {rows:,} track rows in 10 mixed files under {folder}", flush=True)
        write_volume(folder, rows, parts=10)
    results = []
    for workers, concurrency in configs:
        print(f"• {workers} worker(s) × concurrency {concurrency} ...", flush=True)
        results.append(one_config(args.work / f"w{workers}c{concurrency}", workers, concurrency, folder, rows))
        print(json.dumps(results[-1], default=str, indent=1), flush=True)
    shutil.rmtree(args.work, ignore_errors=True)
    text = section(results, rows)
    print(text)
    if not args.smoke:
        print(f"written to {record('cluster', text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
