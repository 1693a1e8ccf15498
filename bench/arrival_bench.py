"""Sustained arrival under `make up`'s real scheduler (issue 25): `smrt_ingest` on `@continuous`,
one SMRT file dropped every 2 seconds for 10 minutes, the way a sender drops them (written under a
temporary name, then renamed). Measured:

- the latency from a file's drop to its rows being published (the registry's `loaded_at`):
  p50, p90, p99 and the largest, every file checked loaded once;
- the memory of the scheduler and of the api-server (RSS of each main process, PSS of each
  process tree; sampled every 10 s): first and last minute, and the growth per hour fitted over
  the run after its first minute, to tell a leak from a warm-up.

  python bench/arrival_bench.py                          # 10 minutes, a file every 2 s
  python bench/arrival_bench.py --minutes 30 --every 1
  python bench/arrival_bench.py --smoke                  # 30 s, no results file (the tests run it)
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "plugins"))
from harness import machine, record, work_folder  # noqa: E402

from filegate.ops.processes import free_port  # noqa: E402

# how each part shows in `ps` (the api-server renames itself)
PARTS = {"scheduler": ("airflow scheduler",), "api-server": ("airflow api-server", "airflow api_server")}


def environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "FILEGATE_"))}
    return {**env, "FILEGATE_STATE_DIR": str(work / "state"), "FILEGATE_DATA_ROOT": str(work / "data"),
            "AIRFLOW__API__PORT": str(free_port()), "FILEGATE_SMRT_SCHEDULE": "@continuous",
            "FILEGATE_POKE_INTERVAL": "1", "FILEGATE_MIN_FILE_AGE": "1"}


def make(target: str, env: dict) -> str:
    done = subprocess.run(["make", "-s", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"make {target} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def airflow(script: str, env: dict, seconds: float = 240) -> None:
    """An airflow command against the environment (as the README says: after `make -s env`),
    retried until the DAGs are parsed."""
    deadline = time.time() + seconds
    while True:
        done = subprocess.run(["bash", "-c", f'eval "$(make -s env)" && {script}'], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode == 0:
            return
        if time.time() > deadline:
            raise SystemExit(f"{script} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        time.sleep(5)


def warehouse(env: dict) -> str:
    from airflow.sdk import Connection

    from filegate.warehouse.connection import conninfo_of

    exported = subprocess.run(["bash", "-c", 'eval "$(make -s env)" && printf %s "$AIRFLOW_CONN_WAREHOUSE"'],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return conninfo_of(Connection.from_json(exported, conn_id="warehouse"))


def parts(state: Path) -> dict[str, object]:
    """The scheduler's and the api-server's main processes, among `make up`'s."""
    import psutil

    standalone = psutil.Process(int((state / "standalone.pid").read_text().split()[0]))
    found = {}
    for proc in standalone.children(recursive=True):
        try:
            line = " ".join(proc.cmdline())
        except psutil.Error:
            continue
        for part, marks in PARTS.items():
            if any(mark in line for mark in marks) and part not in found:
                found[part] = proc
    return found


class Sampler(threading.Thread):
    """Every `every` seconds: (seconds since start, {part: (main RSS MiB, tree PSS MiB)})."""

    def __init__(self, state: Path, every: float):
        super().__init__(daemon=True)
        self.state, self.every, self.done, self.samples = state, every, threading.Event(), []

    def run(self):
        import psutil

        started = time.monotonic()
        while not self.done.is_set():
            sizes = {}
            for part, proc in parts(self.state).items():
                try:
                    tree = [proc, *proc.children(recursive=True)]
                    pss = 0
                    for p in tree:
                        try:
                            pss += p.memory_full_info().pss
                        except psutil.Error:
                            pass
                    sizes[part] = (proc.memory_info().rss / 2**20, pss / 2**20)
                except psutil.Error:
                    continue
            self.samples.append((time.monotonic() - started, sizes))
            self.done.wait(self.every)


def smrt_file(n: int) -> tuple[str, str]:
    """A valid SMRT file of 24 hourly readings of one meter of its own."""
    generation = f"PN{n:06d}"
    lines = [f'"HEADR","SMRT","GAZ","20260105","120000","{generation}"']
    lines += [f'"CONSU","{7_000_000_000 + n:010d}","20260105","{h:02d}00",{h + 1}.5' for h in range(24)]
    return f"{generation}.SMRT", "\n".join([*lines, '"TRAIL"']) + "\n"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares MiB per hour of (seconds, MiB)."""
    if len(points) < 2:
        return 0.0
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 0.0 if var == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var * 3600


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between two files")
    parser.add_argument("--smoke", action="store_true", help="30 s; no results file")
    parser.add_argument("--work", type=work_folder, default=HERE / "data" / "arrival")
    args = parser.parse_args(argv)
    seconds = 30.0 if args.smoke else args.minutes * 60

    import psycopg

    shutil.rmtree(args.work, ignore_errors=True)
    env = environment(args.work)
    landing = args.work / "data" / "landing" / "smrt"
    landing.mkdir(parents=True)
    make("up", env)
    try:
        airflow("airflow dags unpause smrt_ingest", env)
        sampler = Sampler(args.work / "state", 2.0 if args.smoke else 10.0)
        sampler.start()
        dropped: dict[str, float] = {}
        started, n = time.time(), 0
        print(f"dropping a file every {args.every:g} s for {seconds:.0f} s", flush=True)
        while time.time() - started < seconds:
            n += 1
            name, text = smrt_file(n)
            (landing / f"{name}.part").write_text(text)
            (landing / f"{name}.part").rename(landing / name)
            dropped[name] = time.time()
            time.sleep(max(0.0, started + n * args.every - time.time()))
        conninfo = warehouse(env)
        deadline = time.time() + 600
        while True:
            with psycopg.connect(conninfo) as conn:
                loaded = dict(conn.execute("SELECT filename, extract(epoch FROM loaded_at) FROM filegate.files"
                                           " WHERE dataset = 'smrt' AND status = 'loaded'").fetchall())
                rows = conn.execute("SELECT count(*) FROM smrt.readings").fetchone()[0]
            if len(loaded) >= len(dropped) or time.time() > deadline:
                break
            time.sleep(2)
        sampler.done.set()
        sampler.join()
    finally:
        make("down", env)
    if set(loaded) != set(dropped) or rows != 24 * len(dropped):   # correctness before any figure
        raise SystemExit(f"{len(dropped)} files dropped, {len(loaded)} loaded, {rows} readings stored "
                         f"(expected {24 * len(dropped)})")
    latency = [float(loaded[name]) - at for name, at in dropped.items()]
    text = report(latency, sampler.samples, len(dropped), seconds, args.every)
    print(text)
    if not args.smoke:
        print(f"written to {record('arrival', text)}")
    return 0


def report(latency: list[float], samples: list, files: int, seconds: float, every: float) -> str:
    options = "" if seconds == 600 and every == 2 else f" --minutes {seconds / 60:g} --every {every:g}"
    lines = [f"## sustained arrival: a SMRT file every {every:g} s for {seconds / 60:g} min under `make up`",
             "", f"Machine: {machine()}. `smrt_ingest` on `@continuous`, a poke every second, files complete after "
             f"1 s. Command: `python bench/arrival_bench.py{options}`. The scheduler's process tree holds its "
             "LocalExecutor workers, which run the tasks.", "",
             f"{files} files, each loaded once (24 readings each, all stored).", "",
             "| drop → loaded | p50 | p90 | p99 | max |", "|---|---|---|---|---|",
             f"| seconds | {percentile(latency, 50):.1f} | {percentile(latency, 90):.1f} | "
             f"{percentile(latency, 99):.1f} | {max(latency):.1f} |", "",
             "| process | RSS first minute (MiB) | RSS last minute | growth after the first minute (MiB/h) |"
             " tree PSS first minute | tree PSS last minute |", "|---|---|---|---|---|---|"]
    end = samples[-1][0] if samples else 0
    for part in PARTS:
        series = [(t, sizes[part]) for t, sizes in samples if part in sizes]
        if not series:
            continue
        first = [s for t, s in series if t <= 60] or [series[0][1]]
        last = [s for t, s in series if t >= end - 60] or [series[-1][1]]
        growth = slope_per_hour([(t, s[0]) for t, s in series if t > 60])
        lines.append(f"| {part} | {statistics.fmean(s[0] for s in first):.0f} | {statistics.fmean(s[0] for s in last):.0f}"
                     f" | {growth:+.1f} | {statistics.fmean(s[1] for s in first):.0f} | "
                     f"{statistics.fmean(s[1] for s in last):.0f} |")
    lines.append(f"\nMeasured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
