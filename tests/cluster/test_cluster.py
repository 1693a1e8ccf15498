"""Distributed mode for real: `make cluster` with 2 Celery workers against an embedded `make run`
on the same files, then one worker killed mid-run.

The same sample files (smrt, raw_data, housing) land in two environments of their own:
- A: `make run` (the embedded default, `airflow dags test`);
- B: `make cluster` (PostgreSQL on TCP, Redis, api-server, scheduler, dag-processor, triggerer,
  2 workers); the scheduler runs the ingest DAGs (their schedule set to @once, so unpausing makes
  exactly one run) and the reports DAGs their Asset triggers.
Every run must succeed, mapped convert tasks must have run on both workers, and the warehouse
tables, the registry, the folders and today's reports must be equal. Then a raw_data volume lands
in both; B's worker1 is killed with SIGKILL (its whole process tree, as a lost machine) while it
converts; the run must still succeed through Airflow's retry on worker2, and both environments
must again be equal: nothing lost, nothing loaded twice.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from filegate.ops.processes import free_port
from tests.support.helpers import ROOT, make, own_environment

pytestmark = pytest.mark.cluster

DATASETS = ("smrt", "raw_data", "housing")
LOAD_TIMES = ("loaded_at", "first_seen_at")   # when a row was stored: differs between any two runs
QUICK = {"FILEGATE_POKE_INTERVAL": "2", "FILEGATE_MIN_FILE_AGE": "1", "FILEGATE_RETRY_DELAY": "3",
         "FILEGATE_SENSOR_TIMEOUT": "300"}


def write_samples(folder: Path) -> None:
    """Each dataset's own sample, written once: both environments get copies of these bytes and times."""
    from filegate import datasets, settings

    s = settings.load()
    for ds in datasets.discovered():
        if ds.name in DATASETS:
            ds.write_sample(folder / ds.name, s)


def deliver(template: Path, landing: Path) -> None:
    shutil.copytree(template, landing, copy_function=shutil.copy2, dirs_exist_ok=True)


def role_env(env: dict, role: str = "scheduler") -> dict:
    """The environment `make cluster` gives a role, computed in B's own environment."""
    code = ("import json, os; from filegate import settings; from filegate.ops import cluster; s = settings.load(); "
            "c = settings.load(cluster.ClusterSettings); "
            f"print(json.dumps(cluster.role_environment(s, {role!r}, cluster.shared_environment(s, c, "
            "cluster.cluster_secrets(s)))))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def airflow(env: dict, *args: str) -> str:
    done = subprocess.run([str(Path(sys.executable).with_name("airflow")), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def query(conninfo: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def embedded_conninfo(state: Path, dbname: str) -> str:
    lines = (state / "pg" / "postmaster.pid").read_text().splitlines()
    return f"host={lines[4]} port={lines[3]} user=postgres dbname={dbname}"


def cluster_conninfo(env: dict, state: Path, dbname: str) -> str:
    password = json.loads((state / "cluster" / "secrets.json").read_text())["pg_password"]
    return (f"host=127.0.0.1 port={env['FILEGATE_CLUSTER_PG_PORT']} user=postgres password={password} "
            f"dbname={dbname}")


def wait_runs(airflow_db: str, dag_ids: list[str], seconds: float, after: datetime | None = None,
              run_type: str | None = None) -> dict[str, str]:
    """Wait until each DAG's last run (made after `after`, of `run_type` if given) has finished and
    none of its runs is still going; {dag_id: state of that last run}."""
    deadline = time.time() + seconds
    since = after or datetime(2000, 1, 1, tzinfo=timezone.utc)
    while True:
        states = dict(query(airflow_db, "SELECT DISTINCT ON (dag_id) dag_id, state FROM dag_run WHERE dag_id = ANY(%s)"
                                        " AND run_after >= %s AND run_type = coalesce(%s, run_type)"
                                        " ORDER BY dag_id, id DESC", (dag_ids, since, run_type)))
        going = query(airflow_db, "SELECT dag_id FROM dag_run WHERE dag_id = ANY(%s) AND state NOT IN ('success', 'failed')",
                      (dag_ids,))
        if set(states) == set(dag_ids) and not going:
            return states
        assert time.time() < deadline, f"runs not finished after {seconds} s: {states}, still going: {going}"
        time.sleep(3)


def snapshot(conninfo: str, data_root: Path, today: str) -> dict:
    """What a run leaves behind, minus what differs between any two environments (ids, times, run
    ids, absolute paths): lineage ids become filenames, identity columns are left out."""
    from psycopg import sql

    names = dict(query(conninfo, "SELECT file_id, filename FROM filegate.files"))
    registry = sorted(query(conninfo, "SELECT dataset, filename, size_bytes, sha256, status, reason, header::text,"
                                      " sort_key, rows_read, rows_loaded, reloadable FROM filegate.files"), key=repr)
    tables = {}
    for schema, table in query(conninfo, "SELECT table_schema, table_name FROM information_schema.tables"
                                         " WHERE table_schema = ANY(%s) AND table_type = 'BASE TABLE'", (list(DATASETS),)):
        columns = [name for name, default, identity in query(
            conninfo, "SELECT column_name, column_default, is_identity FROM information_schema.columns"
                      " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position", (schema, table))
            if name not in LOAD_TIMES and identity == "NO" and not (default or "").startswith("nextval")]
        rows = query(conninfo, sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, table)).as_string(None))
        lineage = {i for i, name in enumerate(columns) if name.endswith("file_id")}
        tables[f"{schema}.{table}"] = sorted(
            (tuple(names.get(v, v) if i in lineage else v for i, v in enumerate(row)) for row in rows), key=repr)

    def folder(name: str) -> dict[str, list[str]]:
        """{path: [digest of each copy]}: one name can be delivered again, into another run's folder."""
        found: dict[str, list[str]] = {}
        for path in (data_root / name).rglob("*"):
            if path.is_file():
                parts = path.relative_to(data_root / name).parts
                if name != "landing":   # <dataset>/<run id>/...: the run id differs
                    parts = (parts[0], *parts[2:])
                found.setdefault("/".join(parts), []).append(digest(path, name))
        return {key: sorted(digests) for key, digests in found.items()}

    def digest(path: Path, folder_name: str) -> str:
        if path.name.endswith(".reason.json"):   # says which run refused the file
            return ""
        if folder_name == "processed":   # the records, lineage ids as filenames (gzip headers hold times)
            import gzip

            with gzip.open(path) as lines:
                records = (json.loads(line) for line in lines)
                text = "".join(json.dumps({**r, "_file_id": names[r["_file_id"]]}, sort_keys=True) for r in records)
            return hashlib.sha256(text.encode()).hexdigest()
        return hashlib.sha256(path.read_bytes()).hexdigest()

    reports = {str(p.relative_to(data_root)): p.read_bytes() for p in (data_root / "reports").rglob(f"{today}.*")
               if p.relative_to(data_root / "reports").parts[0] in DATASETS}
    return {"registry": registry, "tables": tables, "reports": reports,
            **{name: folder(name) for name in ("landing", "archive", "quarantine", "processed")}}


def differences(a: dict, b: dict) -> list[str]:
    """Where two snapshots differ, a line each (a few rows per table), for the assertion's message."""
    lines = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        if isinstance(x, dict) and isinstance(y, dict):
            for name in sorted(set(x) | set(y)):
                if x.get(name) != y.get(name):
                    left, right = x.get(name), y.get(name)
                    if isinstance(left, list) and isinstance(right, list):
                        only_a = [r for r in left if r not in right][:3]
                        only_b = [r for r in right if r not in left][:3]
                        lines.append(f"{key}.{name}: only in A {only_a}, only in B {only_b}")
                    else:
                        lines.append(f"{key}.{name}: A {str(left)[:200]}, B {str(right)[:200]}")
        else:
            only_a = [r for r in x or [] if r not in (y or [])][:3]
            only_b = [r for r in y or [] if r not in (x or [])][:3]
            lines.append(f"{key}: only in A {only_a}, only in B {only_b}")
    return lines


def test_the_cluster_runs_the_dags_on_both_workers_as_make_run_does_and_survives_a_lost_worker(tmp_path):
    today = datetime.now(timezone.utc).date().isoformat()
    template = tmp_path / "template"
    write_samples(template)
    schedules = {f"FILEGATE_{name.upper()}_SCHEDULE": "@once" for name in DATASETS}
    env_a = own_environment(tmp_path / "a", **QUICK)
    env_b = own_environment(
        tmp_path / "b", **QUICK, **schedules, AIRFLOW__API__PORT=str(free_port()),
        FILEGATE_WORKERS="2", FILEGATE_CLUSTER_PG_PORT=str(free_port()), FILEGATE_CLUSTER_REDIS_PORT=str(free_port()),
        FILEGATE_CLUSTER_LOG_PORT=str(free_port(span=2)),
        # a lost worker's task is failed (then retried) after 30 s without a heartbeat, not 300
        AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT="30",
        AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL="5",
        AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT="120")
    root_a, root_b = Path(env_a["FILEGATE_DATA_ROOT"]), Path(env_b["FILEGATE_DATA_ROOT"])
    state_a, state_b = Path(env_a["FILEGATE_STATE_DIR"]), Path(env_b["FILEGATE_STATE_DIR"])
    deliver(template, root_a / "landing")
    deliver(template, root_b / "landing")
    embedded_run = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env_a, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        started = make("cluster", env_b, timeout=600)
        assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
        assert "2 Celery worker(s) ready: worker1, worker2" in started.stdout
        pids = {p.stem: int(p.read_text().split()[0]) for p in (state_b / "cluster" / "pids").glob("*.pid")}
        assert set(pids) == {"postgres", "redis", "api-server", "scheduler", "dag-processor", "triggerer",
                             "worker1", "worker2"}

        control = role_env(env_b)
        metadata = cluster_conninfo(env_b, state_b, "airflow")
        ingest = [f"{name}_ingest" for name in DATASETS]
        reports = [f"{name}_reports" for name in DATASETS]
        airflow(control, "dags", "reserialize")
        for dag_id in (*reports, *ingest):   # reports first: they must be listening when the publishes come
            airflow(control, "dags", "unpause", dag_id)
        assert wait_runs(metadata, ingest, 900) == {dag_id: "success" for dag_id in ingest}
        # each publish triggered its dataset's reports (the Asset): today's CSVs, as `make run` writes them
        assert wait_runs(metadata, reports, 600, run_type="asset_triggered") == {d: "success" for d in reports}

        hosts = {host.split("@")[0] for (host,) in query(
            metadata, "SELECT DISTINCT hostname FROM task_instance WHERE task_id = 'convert' AND map_index >= 0")}
        assert hosts == {"worker1", "worker2"}, hosts

        out, _ = embedded_run.communicate(timeout=900)
        assert embedded_run.returncode == 0, out[-4000:]
        a = snapshot(embedded_conninfo(state_a, "warehouse"), root_a, today)
        b = snapshot(cluster_conninfo(env_b, state_b, "warehouse"), root_b, today)
        assert a["registry"] and a["tables"]["raw_data.tracks"] and a["archive"] and a["quarantine"]
        assert a["reports"] and not a["landing"]
        assert b == a, "\n".join(differences(a, b))

        # a lost worker: a volume lands in both; worker1 is killed while it converts
        volume = tmp_path / "volume"
        from filegate.datasets.raw_data.sample import write_volume

        write_volume(volume / "raw_data", tracks=320_000, parts=8, seed=11)
        deliver(volume, root_a / "landing")
        deliver(volume, root_b / "landing")
        before = datetime.now(timezone.utc)
        airflow(control, "dags", "trigger", "raw_data_ingest")
        victim = wait_for_convert_on(metadata, "worker1", before, 600)
        from filegate.ops.cluster import kill_tree, process_tree

        kill_tree(process_tree(pids["worker1"]))
        assert wait_runs(metadata, ["raw_data_ingest"], 900, after=before) == {"raw_data_ingest": "success"}
        assert wait_runs(metadata, ["raw_data_reports"], 600, after=before, run_type="asset_triggered") == {
            "raw_data_reports": "success"}
        retried = query(metadata, "SELECT try_number, hostname FROM task_instance WHERE dag_id = 'raw_data_ingest'"
                                  " AND task_id = 'convert' AND map_index = %s AND run_id = %s", victim)
        assert retried and retried[0][0] >= 2 and retried[0][1].startswith("worker2@"), retried

        rerun = make("run", env_a, timeout=900)
        assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
        a = snapshot(embedded_conninfo(state_a, "warehouse"), root_a, today)
        b = snapshot(cluster_conninfo(env_b, state_b, "warehouse"), root_b, today)
        assert len(a["tables"]["raw_data.tracks"]) == 320_000
        assert b == a, "\n".join(differences(a, b))
    finally:
        if embedded_run.poll() is None:
            embedded_run.kill()
        stopped = make("cluster-down", env_b)
        make("down", env_a)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    from filegate.ops.processes import alive

    assert not [name for name, pid in pids.items() if alive(pid)], "cluster-down left processes running"


def wait_for_convert_on(metadata: str, worker: str, after: datetime, seconds: float) -> tuple[int, str]:
    """(map_index, run_id) of a convert task running on `worker` in a run made after `after`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        rows = query(metadata, "SELECT ti.map_index, ti.run_id FROM task_instance ti JOIN dag_run r"
                               " ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id WHERE ti.dag_id = 'raw_data_ingest'"
                               " AND ti.task_id = 'convert' AND ti.state = 'running' AND ti.hostname LIKE %s"
                               " AND r.run_after >= %s", (f"{worker}@%", after))
        if rows:
            return rows[0]
        time.sleep(0.2)
    raise AssertionError(f"no convert task ran on {worker} within {seconds} s")
