"""Issue 25 from the outside: defects found when filegate was run from a fresh clone, replayed the
way they were found, under `make up`'s real scheduler (the `stack` fixture) — one test per defect,
named after it. Defects 1 and 5 are pinned where they live (tests/integration/test_*_pipeline.py:
test_issue25_*, tests/bench/test_harness.py)."""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request

import psycopg

from tests.support.helpers import ROOT, once_dags_are_parsed, smrt_text, warehouse


def api(env: dict, port: int, path: str) -> dict:
    """GET Airflow's REST API as admin (the password `make up` generated)."""
    from pathlib import Path

    generated = Path(env["FILEGATE_STATE_DIR"]) / "airflow" / "simple_auth_manager_passwords.json.generated"
    passwords = json.loads(generated.read_text())
    login = urllib.request.Request(f"http://127.0.0.1:{port}/auth/token", method="POST",
                                   data=json.dumps({"username": "admin", "password": passwords["admin"]}).encode(),
                                   headers={"Content-Type": "application/json"})
    token = json.load(urllib.request.urlopen(login, timeout=30))["access_token"]
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v2{path}",
                                     headers={"Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(request, timeout=60))


def runs(env: dict, port: int, dag_id: str) -> list[dict]:
    return api(env, port, f"/dags/{dag_id}/dagRuns?order_by=-run_after&limit=20")["dag_runs"]


def wait_for(what, seconds: float, every: float = 3):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = what()
        if found:
            return found
        time.sleep(every)
    return what()


def test_defect_2_a_drop_of_5000_files_loads_through_the_scheduler_in_tens_of_tasks(stack):
    env, port, tmp = stack
    landing = tmp / "data" / "landing" / "smrt"
    landing.mkdir(parents=True, exist_ok=True)
    old = time.time() - 600
    for n in range(1, 5001):
        name = f"PN{n:06d}"
        path = landing / f"{name}.SMRT"
        path.write_text(smrt_text(name, [(f"{n:010d}", "20260105", "0100", "1.5")]))
        os.utime(path, (old, old))
    # unpausing starts the run of the last complete day at once (catchup off): the scheduler's run
    done = once_dags_are_parsed("airflow dags unpause smrt_ingest", env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    finished = wait_for(lambda: [r for r in runs(env, port, "smrt_ingest") if r["state"] in ("success", "failed")],
                        1500, every=10)
    assert finished, f"smrt_ingest did not finish; task logs: {tmp / 'state' / 'logs'}"
    run = finished[0]
    assert run["state"] == "success" and run["run_type"] == "scheduled", run
    converts = api(env, port, f"/dags/smrt_ingest/dagRuns/{run['dag_run_id']}/taskInstances?task_id=convert&limit=1")
    assert converts["total_entries"] == 16   # the stack's FILEGATE_MAX_CONVERT_TASKS: 16 groups of 313 files
    with psycopg.connect(warehouse(env)) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM filegate.files WHERE dataset = 'smrt'"
                                     " GROUP BY status").fetchall())
        readings = conn.execute("SELECT count(*) FROM smrt.readings").fetchone()[0]
    assert statuses == {"loaded": 5000} and readings == 5000
    assert not any(landing.iterdir())


def test_defect_6_a_manual_run_with_nothing_to_load_is_skipped_at_once(stack):
    env, port, tmp = stack
    landing = tmp / "data" / "landing" / "smrt"
    if not runs(env, port, "smrt_ingest"):   # run alone: unpausing starts a scheduled run, which waits for files
        landing.mkdir(parents=True, exist_ok=True)
        (landing / "PN900001.SMRT").write_text(smrt_text("PN900001", [("1234567890", "20260105", "0100", "1")]))
    done = once_dags_are_parsed("airflow dags unpause smrt_ingest", env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    idle = wait_for(lambda: runs(env, port, "smrt_ingest") and not [
        r for r in runs(env, port, "smrt_ingest") if r["state"] in ("queued", "running")], 600, every=5)
    assert idle, runs(env, port, "smrt_ingest")
    assert not landing.exists() or not any(landing.iterdir())   # nothing to load

    run_id = f"manual__issue25-nothing-{int(time.time())}"
    triggered = time.time()
    done = subprocess.run(["bash", "-c", f'eval "$(make -s env)" && airflow dags trigger smrt_ingest -r {run_id}'],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ended = wait_for(lambda: api(env, port, f"/dags/smrt_ingest/dagRuns/{run_id}")["state"] in ("success", "failed"),
                     240, every=2)
    took = time.time() - triggered
    assert ended, f"the manual run still waits after {took:.0f} s"
    states = {t["task_id"]: t["state"] for t in api(env, port, f"/dags/smrt_ingest/dagRuns/{run_id}/taskInstances")[
        "task_instances"]}
    assert states["wait_for_files"] == "skipped" and states["claim"] == "skipped", states
    print(f"a manual run with nothing to load ended in {took:.0f} s")


def sale_response(attom_id: int) -> str:
    from filegate.datasets.housing.sample import response

    return json.dumps(response([{"identifier": {"attomId": attom_id},
                                 "sale": {"saleTransDate": "2021-3-4", "amount": {"saleamt": 1000 + attom_id}},
                                 "summary": {"proptype": "SFR"}}]))


def housing_state(conninfo: str, names: set[str]) -> dict:
    """The registry and the sales of `names` only (the stack holds other tests' files too)."""
    with psycopg.connect(conninfo) as conn:
        files = conn.execute("SELECT filename, status, reason, rows_read, rows_loaded, sha256 FROM filegate.files"
                             " WHERE dataset = 'housing' AND filename = ANY(%s) ORDER BY 1, 2", (list(names),)).fetchall()
        sales = conn.execute("SELECT s.attom_id, s.sale_date, s.sale_amount, f.filename FROM housing.sales s"
                             " JOIN filegate.files f USING (file_id) WHERE f.filename = ANY(%s) ORDER BY 1, 2",
                             (list(names),)).fetchall()
    return {"files": files, "sales": sales}


def test_fault_two_make_runs_and_the_scheduler_on_one_environment_while_files_keep_arriving(
        stack, new_warehouse, tmp_path, monkeypatch):
    """Issue 25's fault campaign: `make up`'s scheduler runs housing_ingest continuously while two
    `make run` run housing_ingest too (`airflow dags test`), and responses keep arriving. It ends
    as one clean run on the same files: each loaded once, the bad one refused, nothing claimed or
    staged."""
    import threading

    from filegate import settings as settings_module
    from tests.support.helpers import run_batch

    env, port, tmp = stack
    done = once_dags_are_parsed("airflow dags unpause housing_ingest", env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    landing = tmp / "data" / "landing" / "housing"
    landing.mkdir(parents=True, exist_ok=True)
    # responses keep arriving until both `make run` have ended, so each finds some in landing
    # however long it waited for the other (under load the scheduler alone may drain 40 of them)
    files: dict[str, str] = {}
    runs_ended = threading.Event()

    def arrive():
        n = 0
        while not runs_ended.is_set() and n < 1200:
            name, text = ((f"arrival_{n:03d}.json", sale_response(810_000 + n)) if n != 5 else
                          ("arrival_bad.json", '{"status": {"total": 1}, "property": [{"identifier": '))
            (landing / f"{name}.part").write_text(text)
            (landing / f"{name}.part").rename(landing / name)
            files[name] = text
            n += 1
            time.sleep(1)

    sender = threading.Thread(target=arrive)
    sender.start()
    time.sleep(3)
    runs = [subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT) for _ in range(2)]
    try:
        outputs = [run.communicate(timeout=1200)[0] for run in runs]
    finally:
        runs_ended.set()
        sender.join()
    for run, output in zip(runs, outputs):
        assert run.returncode == 0 and "Traceback" not in output, output[:6000] + "\n...\n" + output[-3000:]
        # the scheduler drives an unpaused DAG's runs: `make run` hands housing_ingest to it, not to a
        # second driver (`airflow dags test` beside it deadlocked in the metadata database)
        assert "running housing_ingest" in output, output[:3000]
        assert "housing_ingest is handed to it as run" in output, output[:3000]

    conninfo = warehouse(env)

    def settled():
        with psycopg.connect(conninfo) as conn:
            claimed = conn.execute("SELECT count(*) FROM filegate.files WHERE dataset = 'housing'"
                                   " AND status = 'claimed'").fetchone()[0]
            staged = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'"
                                  " AND tablename LIKE 'housing%'").fetchone()[0]
        return claimed == 0 and staged == 0 and not any(landing.iterdir())
    assert wait_for(settled, 300, every=3), f"not settled; logs: {tmp / 'state' / 'logs'}"
    assert not list((tmp / "data" / "processed" / "housing").glob("*/parts"))

    # one clean run of the same files, on a database and data root of its own
    monkeypatch.setenv("FILEGATE_DATA_ROOT", str(tmp_path / "clean"))
    monkeypatch.setenv("FILEGATE_MIN_FILE_AGE", "0")
    clean_conninfo = new_warehouse()
    s = settings_module.load()
    (s.landing / "housing").mkdir(parents=True)
    for name, text in files.items():
        (s.landing / "housing" / name).write_text(text)
    run_batch("clean", clean_conninfo, s, dataset="housing")
    expected = housing_state(clean_conninfo, set(files))
    assert len(expected["sales"]) == len(files) - 1 and [f[1] for f in expected["files"]].count("rejected") == 1
    assert housing_state(conninfo, set(files)) == expected
