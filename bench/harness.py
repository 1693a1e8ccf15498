"""Measure a command as its own process: wall time, CPU time and peak RSS.

Peak RSS is what the process itself reports at exit (VmHWM, and the largest of its children),
not wait4's ru_maxrss: Linux folds the parent's high-water mark into a child's at exec, so every
small contender read as big as the bench driver that started it (81 MiB each, before this).

Issue 4's side-by-side benchmarks build on this, and on what they share below it (the embedded
server, a quiet database, filegate's steps run as the DAG runs them, result tables); it imports
filegate only inside functions, so a contender's own imports are all it pays for.
"""
from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Measurement:
    label: str
    wall_s: float
    cpu_s: float
    peak_rss_mib: float


# Runs a Python script (or `-c code`) as __main__, then writes its own peak RSS (KiB) where
# PEAK_FILE says.
_REPORTING = """
import os, resource, runpy, sys
script = sys.argv[1]
try:
    if script == "-c":
        code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = sys.argv[1:]
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        runpy.run_path(script, run_name="__main__")
finally:
    own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    with open(os.environ["PEAK_FILE"], "w") as out:
        out.write(str(max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))
"""


def work_folder(value: str) -> Path:
    """`--work` as an absolute path. filegate's settings resolve a relative data root or state
    folder against the project, not the current folder: `make bench-smoke` (run from bench/ with
    `--work data/smoke/...`) landed files in one place and claimed from another, and delivered
    nothing ("2,000 rows delivered, 0 stored")."""
    return Path(value).expanduser().resolve()


def land(raw_files, source: Path, data_root: Path, dataset: str) -> None:
    """A fresh `<data_root>/landing/<dataset>/` holding `raw_files` (their paths as under
    `source`) as hard links: publish moves the files to archive, and the originals stay."""
    import shutil

    shutil.rmtree(data_root, ignore_errors=True)
    for raw in raw_files:
        target = data_root / "landing" / dataset / raw.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(raw, target)


def deliver(dataset: str, raw_files, source: Path, conninfo: str, data_root: Path, workers: int,
            chunksize: int = 1) -> tuple[dict, list[dict]]:
    """One delivery from landing to published rows, as the DAG runs its steps (convert mapped on
    `workers` processes): the seconds of each step, and the batch as convert handed it on. The
    benchmark input must be clean: a file not claimed, or refused by any step, ends the run."""
    import time

    raw_files = list(raw_files)
    land(raw_files, source, data_root, dataset)
    os.environ.update(FILEGATE_DATA_ROOT=str(data_root), FILEGATE_MIN_FILE_AGE="0")
    from filegate.ingest import pipeline

    spent = {}
    start = time.perf_counter()
    files = pipeline.claim(dataset, "bench", conninfo)
    spent["claim"] = time.perf_counter() - start
    if len(files) != len(raw_files):
        raise SystemExit(f"claim took {len(files)} of the {len(raw_files)} files landed in {data_root}: "
                         "the benchmark input must be claimed whole")
    start = time.perf_counter()
    converted = convert_mapped(dataset, files, conninfo, workers, chunksize)
    spent["convert"] = time.perf_counter() - start
    batch = converted
    for step in ("stage", "audit", "publish"):
        start = time.perf_counter()
        batch = getattr(pipeline, step)(dataset, "bench", batch, conninfo)
        spent[step] = time.perf_counter() - start
        if batch.rejected:
            raise SystemExit(f"{step} refused {batch.rejected}: the benchmark input must be clean")
    return spent, converted



def as_json(value):
    """What a step handed on (a contracts dataclass, or a list of them), as JSON for a state file:
    the bench's steps run in processes of their own, as the DAG's tasks do."""
    from dataclasses import asdict, is_dataclass

    if isinstance(value, list):
        return [as_json(v) for v in value]
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def taken_by(step: str, data):
    """The JSON of `as_json` as what `step` takes (the class the step before it returned)."""
    from filegate.ingest import contracts

    kind = {"convert": contracts.ClaimedFile, "stage": contracts.Conversion, "audit": contracts.Staged,
            "publish": contracts.Audited}[step]
    return [kind(**d) for d in data] if isinstance(data, list) else kind(**data)


def measure(label: str, argv: list[str], env: dict | None = None) -> Measurement:
    """`argv` is `[python, script or -c code, args...]`, run under a wrapper that reports its peak."""
    import tempfile

    if argv[0] != sys.executable:
        raise ValueError(f"{label}: measure runs Python scripts (`{sys.executable} script ...`), got {argv[0]}")
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _REPORTING, *argv[1:]],
                                env={**os.environ, **(env or {}), "PEAK_FILE": peak.name})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"{label}: {' '.join(argv)} exited {code}")
        return Measurement(label, wall, usage.ru_utime + usage.ru_stime, int(peak.read()) / 1024)


def machine() -> str:
    mem_kib = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return (f"{platform.machine()}, {os.cpu_count()} cores, {mem_kib / 1024 / 1024:.0f} GiB, "
            f"Python {sys.version.split()[0]}")


def table(rows: list[Measurement], extra: dict[str, list[str]] | None = None) -> str:
    head = ["contender", "wall (s)", "CPU (s)", "peak RSS (MiB)", *(extra or {})]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, m in enumerate(rows):
        cells = [m.label, f"{m.wall_s:.1f}", f"{m.cpu_s:.1f}", f"{m.peak_rss_mib:,.0f}",
                 *[v[i] for v in (extra or {}).values()]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine_slug() -> str:
    mem_kib = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return f"{platform.machine()}-{os.cpu_count()}cores-{mem_kib / 1024 / 1024:.0f}gib"


def record(section: str, text: str, folder: Path = RESULTS) -> Path:
    """Put `text` as `section` of today's results file for this machine,
    `bench/results/<date>-<machine>.md`, replacing that section if it is already there: each
    benchmark writes its own part, and the file gathers one day's results on one machine."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{date.today()}-{machine_slug()}.md"
    body = path.read_text() if path.exists() else f"# bench results, {date.today()}\n\nMachine: {machine()}\n"
    begin, end = f"<!-- {section} -->", f"<!-- /{section} -->"
    block = f"{begin}\n{text.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    body = pattern.sub(lambda _: block, body) if pattern.search(body) else body.rstrip() + "\n\n" + block + "\n"
    path.write_text(body)
    return path


# --- what the benches share: the embedded server, a quiet database, filegate's steps -------------


class Bench:
    """The embedded PostgreSQL a bench runs against (state and data under its work folder), and
    fresh databases on it."""
    def __init__(self, work: Path):
        from filegate import settings
        from filegate.ops import embedded

        self.work = work
        os.environ.update(FILEGATE_STATE_DIR=str(work / "state"), FILEGATE_MIN_FILE_AGE="0",
                          FILEGATE_DATA_ROOT=str(work / "scratch"))
        self.server = embedded.start(settings.load())

    def conninfo(self, dbname: str) -> str:
        from filegate.ops import embedded

        info = self.server.get_postmaster_info()
        return f"host={embedded.socket_dir(self.server)} port={info.port} user=postgres dbname={dbname}"

    def admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(statement)

    def fresh_database(self, name: str, template: str | None = None) -> str:
        # a template database (one an earlier run left) cannot be dropped until it is not one
        self.admin(f"UPDATE pg_database SET datistemplate = false WHERE datname = '{name}'")
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.conninfo(name)


def settle(conninfo: str, vacuum: bool = False) -> None:
    """Nothing left over from the set-up to flush during the measurement (`vacuum`: nor to analyse)."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        if vacuum:
            conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


class Inline:
    """A pool of one: the same code path without a worker process."""
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, fn, items, chunksize: int = 1):
        return map(fn, items)


def pool(workers: int):
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers) if workers > 1 else Inline()


def convert_mapped(dataset: str, files, conninfo: str, workers: int = 2, chunksize: int = 1,
                   run_id: str = "bench") -> list:
    """pipeline.convert of each claimed file on `workers` processes, as the DAG's mapped convert runs;
    the benchmark input must be clean: a refused file ends the run."""
    with pool(workers) as p:
        converted = list(p.map(_convert, [(dataset, run_id, f, conninfo) for f in files], chunksize=chunksize))
    refused = [c.filename for c in converted if c.outcome != "converted"]
    if refused:
        raise SystemExit(f"convert refused {refused}: the benchmark input must be clean")
    return converted


def _convert(job):
    from filegate.ingest import pipeline

    dataset, run_id, file, conninfo = job
    return pipeline.convert(dataset, run_id, file, conninfo)


def convert_alone(dataset: str, paths, out: Path, workers: int = 1, chunksize: int = 1) -> list[tuple[int, dict]]:
    """convert_file of each path (file ids from 1) into `out`, on `workers` processes: filegate's
    convert without the registry, as the convert contenders run. (file_id, rows per table) each."""
    jobs = [(dataset, path, file_id, out) for file_id, path in enumerate(paths, start=1)]
    with pool(workers) as p:
        return list(p.map(_convert_alone, jobs, chunksize=chunksize))


def _convert_alone(job) -> tuple[int, dict]:
    from filegate import datasets, settings
    from filegate.ingest.convert import convert_file

    dataset, path, file_id, out = job
    return file_id, dict(convert_file(datasets.get(dataset), path, file_id, out, settings.load()).rows)


def step(dataset: str, name: str, raw_files, landing: Path, conninfo: str, data_root: Path, state_file: Path,
         counted: str) -> dict:
    """One of filegate's steps, claim to publish, in its own process as an Airflow task runs (convert
    mapped on 2 processes); what a step hands to the next goes through `state_file`, and the
    records convert read of table `counted` into its "records". Returns the state written."""
    from filegate.ingest import pipeline

    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    if name == "claim":
        land(raw_files, landing, data_root, dataset)
        state["handed"] = as_json(pipeline.claim(dataset, "bench", conninfo))
    elif name == "convert":
        converted = convert_mapped(dataset, taken_by(name, state["handed"]), conninfo)
        state["handed"] = as_json(converted)
        state["records"] = sum(c.rows.get(counted, 0) for c in converted)
    else:
        handed = getattr(pipeline, name)(dataset, "bench", taken_by(name, state["handed"]), conninfo)
        if name == "audit" and handed.rejected:
            raise SystemExit(f"the audit refused {handed.rejected}: the benchmark input must be clean")
        state["handed"] = as_json(handed)
    state_file.write_text(json.dumps(state))
    return state
