"""Issue 9 from the outside: each defect found when filegate was attacked, replayed the way it was
found — through `make run`, `make up`/`make down`, the README's commands or a DAG run (`dag.test()`,
`airflow dags test`) — one test per defect, named after it.

Defect 9 (`eval "$(make -s env)"`) is tests/integration/test_cli.py::test_eval_make_env_gets_only_export_lines;
every step's kill -9 is tests/dags/test_kill_9.py.
"""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from tests.support.dagrun import end_interrupted_runs, run_dag
from tests.support.helpers import drop, make, once_dags_are_parsed, own_environment, smrt_text

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
DEEP = "[" * 10_000 + "]" * 10_000


def registry(conninfo) -> dict[str, tuple]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT filename, status, reason FROM filegate.files ORDER BY file_id").fetchall()
    return {name: (status, reason) for name, status, reason in rows}


def query(conninfo, sql: str) -> list[tuple]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql).fetchall()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file() or p.is_symlink()) if folder.exists() else []


def killed_dag_run(dag_id: str, point: str) -> None:
    """`airflow dags test` killed with SIGKILL at a step (filegate.ingest.faults), as a crash would."""
    done = subprocess.run([AIRFLOW, "dags", "test", dag_id], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "FILEGATE_KILL_AT": point})
    assert done.returncode == -signal.SIGKILL, done.stdout[-2000:] + done.stderr[-2000:]


# --- defects 1-7 and 10: through DAG runs --------------------------------------------------------

def test_defect_01_a_poison_pill_no_longer_blocks_the_batch(conninfo, settings, airflow_db):
    smrt, raw = settings.landing / "smrt", settings.landing / "raw_data"
    drop(smrt, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    drop(smrt, "PN000002.SMRT", smrt_text("PN000002", [("12345\x0067890", "20260105", "0100", "2")]))
    drop(smrt, "PN000003.SMRT", smrt_text("PN000003", [("1234567890", "20260105", "0200", "3")])
         .replace('"GAZ"', '"G\x00Z"'))
    drop(raw / "genres", "genres_1.csv", "GenreId,Name\n1,Rock\n")
    drop(raw / "genres", "genres_2.json", "[\n" + DEEP + "\n]\n")
    drop(raw / "genres", "genres_3.json", '{"GenreId": 3, "Name": ' + DEEP + "}\n")

    assert run_dag("smrt_ingest")[0] == "success" and run_dag("raw_data_ingest")[0] == "success"
    files = registry(conninfo)
    assert {name: status for name, (status, _) in files.items()} == {
        "PN000001.SMRT": "loaded", "PN000002.SMRT": "rejected", "PN000003.SMRT": "rejected",
        "genres/genres_1.csv": "loaded", "genres/genres_2.json": "rejected", "genres/genres_3.json": "rejected"}
    assert files["PN000002.SMRT"][1].startswith("PN000002.SMRT, line 2: a NUL byte")
    assert files["PN000003.SMRT"][1].startswith("PN000003.SMRT, line 1: a NUL byte")
    assert files["genres/genres_2.json"][1].startswith("genres/genres_2.json, line 2: JSON nested too deeply")
    assert files["genres/genres_3.json"][1].startswith("genres/genres_3.json, line 1: ")
    assert names(settings.landing) == []   # nothing left claimed in landing: the next run has nothing to redo
    assert run_dag("smrt_ingest")[1]["claim"] == "skipped"


def test_defect_02_files_left_claimed_are_reported_and_counted_by_the_run_that_loads_them(
        conninfo, settings, airflow_db, monkeypatch, capsys):
    from filegate import settings as settings_module
    from filegate.ops import summary

    drop(settings.landing / "smrt", "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    killed_dag_run("smrt_ingest", "convert")
    assert registry(conninfo)["PN000001.SMRT"][0] == "claimed"
    time.sleep(1.1)
    monkeypatch.setenv("FILEGATE_CLAIM_TIMEOUT", "1")
    summary.show(settings_module.load(), conninfo, "smrt", _now(), date.today())
    assert "stale claims: 1 file(s) claimed by a run that did not finish" in capsys.readouterr().out

    run = subprocess.run([sys.executable, "-m", "filegate.ops.cli", "run"], cwd=ROOT, capture_output=True, text=True,
                         timeout=900, env=dict(os.environ))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "smrt: 1 file(s) this run: 1 loaded, 0 refused" in run.stdout and "stale claims" not in run.stdout
    assert registry(conninfo)["PN000001.SMRT"][0] == "loaded"


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def test_defect_03_links_in_landing_are_refused_unread(conninfo, settings, airflow_db):
    landing = settings.landing / "smrt"
    outside = settings.data_root.parent / "outside"
    (outside / "etc").mkdir(parents=True)
    target = outside / "PN000009.SMRT"
    target.write_text(smrt_text("PN000009", [("1234567890", "20260105", "0000", "7")]))
    (outside / "etc" / "passwd.SMRT").write_text("root:x:0:0:TOP SECRET\n")
    landing.mkdir(parents=True)
    (landing / "PN000009.SMRT").symlink_to(target)
    (landing / "etc").symlink_to(outside / "etc", target_is_directory=True)
    os.mkfifo(landing / "PN000010.SMRT")   # reading it would block the run forever
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0100", "1")]))

    assert run_dag("smrt_ingest")[0] == "success"
    files = registry(conninfo)
    assert files["PN000001.SMRT"][0] == "loaded"
    assert files["PN000009.SMRT"] == ("rejected", "PN000009.SMRT, whole file: a symbolic link; filegate reads only "
                                                  "regular files inside landing/smrt/, and did not read this one")
    assert files["PN000010.SMRT"][1].startswith("PN000010.SMRT, whole file: a FIFO")
    assert files["etc"][0] == "rejected"
    assert not any("TOP SECRET" in (reason or "") for _, reason in files.values())
    assert query(conninfo, "SELECT DISTINCT f.filename FROM smrt.readings JOIN filegate.files f USING (file_id)") \
        == [("PN000001.SMRT",)]
    assert target.exists() and (outside / "etc" / "passwd.SMRT").exists()   # targets untouched, unmoved


def test_defect_04_a_file_that_changes_after_its_claim_is_not_loaded_as_registered(
        conninfo, settings, airflow_db, monkeypatch):
    """The bytes loaded must be the bytes registered. Since issue 25 the changed file's claim is
    released (no longer refused): the next run loads it as it then is."""
    from filegate.ingest import faults

    path = drop(settings.landing / "smrt", "PN000001.SMRT",
                smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    monkeypatch.setenv("FILEGATE_PAUSE_AT", "convert")   # convert holds still after its first chunk
    monkeypatch.setenv("FILEGATE_PAUSE_SECONDS", "4")
    monkeypatch.setattr(faults, "_fired", set())

    def sender_rewrites_once_claimed():
        deadline = time.time() + 120
        while time.time() < deadline and not registry(conninfo):
            time.sleep(0.05)
        time.sleep(0.5)
        path.write_text(smrt_text("PN000001", [("1234567890", "20260105", "0000", "1"),
                                               ("1234567890", "20260105", "0100", "99")]))

    writer = threading.Thread(target=sender_rewrites_once_claimed)
    writer.start()
    state, _ = run_dag("smrt_ingest")
    writer.join()

    assert state == "success"
    assert registry(conninfo) == {} and query(conninfo, "SELECT count(*) FROM smrt.readings") == [(0,)]
    monkeypatch.delenv("FILEGATE_PAUSE_AT")
    assert run_dag("smrt_ingest")[0] == "success"
    assert registry(conninfo)["PN000001.SMRT"][0] == "loaded"
    assert query(conninfo, "SELECT count(*) FROM smrt.readings") == [(2,)]   # the reading added too


def test_defect_05_a_smrt_file_whose_name_and_header_disagree_is_refused(conninfo, settings, airflow_db):
    landing = settings.landing / "smrt"
    drop(landing, "PN007610.SMRT", smrt_text("PN007610", [("1234567890", "20260105", "0000", "1")]))
    assert run_dag("smrt_ingest")[0] == "success"
    drop(landing, "PN007510.SMRT", smrt_text("PN007610", [("1234567890", "20260105", "0000", "999")],
                                             created="20260106 120000"))
    assert run_dag("smrt_ingest")[0] == "success"

    status, reason = registry(conninfo)["PN007510.SMRT"]
    assert status == "rejected" and "PN007510.SMRT" in reason and "PN007610" in reason
    assert query(conninfo, "SELECT consumption::text FROM smrt.readings") == [("1",)]   # not overwritten


def test_defect_06_the_same_content_under_another_name_is_a_duplicate(conninfo, settings, airflow_db):
    landing = settings.landing / "smrt"
    text = smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")])
    drop(landing, "PN000001.SMRT", text)
    assert run_dag("smrt_ingest")[0] == "success"
    drop(landing, "resent.SMRT", text)
    assert run_dag("smrt_ingest")[0] == "success"

    status, reason = registry(conninfo)["resent.SMRT"]
    assert status == "duplicate" and "same content" in reason and "PN000001.SMRT" in reason
    assert names(settings.quarantine) == ["resent.SMRT", "resent.SMRT.reason.json"]


def test_defect_07_reasons_quote_at_most_a_few_hundred_characters(conninfo, settings, airflow_db, capsys):
    from filegate.ops import summary

    huge = "X" * 5_000_000
    drop(settings.landing / "smrt", "PN000001.SMRT", smrt_text("PN000001", []).replace('"TRAIL"', f'"{huge}"'))
    started = _now()
    assert run_dag("smrt_ingest")[0] == "success"
    summary.show(settings, conninfo, "smrt", started, started.date())
    terminal = capsys.readouterr().out

    status, reason = registry(conninfo)["PN000001.SMRT"]
    assert status == "rejected" and len(reason) < 1_100 and "(cut: 5,000,002 characters)" in reason
    note = next(settings.quarantine.rglob("*.reason.json"))
    assert note.stat().st_size < 5_000 and json.loads(note.read_text())["reason"] == reason
    assert max(map(len, terminal.splitlines())) < 1_200 and "(cut: 5,000,002 characters)" in terminal


def test_defect_10_a_killed_run_leaves_nothing_behind_after_the_next_run(conninfo, settings, airflow_db):
    drop(settings.landing / "smrt", "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    killed_dag_run("smrt_ingest", "stage")
    staging = "SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'"
    assert query(conninfo, staging) == [(1,)] and list(settings.processed.rglob("parts"))

    end_interrupted_runs()   # as the next `make run` does first
    assert run_dag("smrt_ingest")[0] == "success"
    assert query(conninfo, staging) == [(0,)] and list(settings.processed.rglob("parts")) == []
    assert registry(conninfo)["PN000001.SMRT"][0] == "loaded"


# --- defect 8: make run, twice at once, and make down in the middle -------------------------------

def test_defect_08_concurrent_and_interrupted_runs_say_one_line_and_lose_nothing(tmp_path):
    env = own_environment(tmp_path)
    runs = [subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [[], []]
    readers = [threading.Thread(target=lambda i=i: outputs[i].extend(runs[i].stdout), daemon=True) for i in range(2)]
    for reader in readers:
        reader.start()
    try:
        deadline = time.time() + 600
        while time.time() < deadline and not any("running raw_data_ingest" in "".join(o) for o in outputs):
            time.sleep(0.2)
        interrupted = next(i for i in range(2) if "running raw_data_ingest" in "".join(outputs[i]))
        time.sleep(4)
        down = make("down", env)
        assert down.returncode == 0, down.stdout + down.stderr
        for run in runs:
            run.wait(timeout=900)
        for reader in readers:
            reader.join(timeout=10)
    finally:
        for run in runs:
            run.kill()
    cut, finished = "".join(outputs[interrupted]), "".join(outputs[1 - interrupted])

    assert runs[interrupted].returncode != 0 and "Traceback" not in cut
    failures = [line for line in cut.splitlines() if line.startswith("✗")]
    assert len(failures) == 1 and "PostgreSQL stopped answering while raw_data_ingest ran" in failures[0], cut
    # the other run waited for the first, then started the server again and finished the work
    assert runs[1 - interrupted].returncode == 0, finished
    assert "• waiting for `make run` (pid " in finished and "Traceback" not in finished
    data = tmp_path / "data"
    assert names(data / "landing") == []
    received = names(data / "archive") + [n for n in names(data / "quarantine") if not n.endswith(".reason.json")]
    from datetime import date

    from filegate.datasets.events.sample import sample_files as events_sample
    from filegate.datasets.housing.sample import sample_files as housing_sample
    from filegate.datasets.wells.sample import sample_files as wells_sample

    # every sample file (raw_data, smrt, housing, wells, events), once
    assert len(received) == 29 + 8 + len(housing_sample()) + len(wells_sample()) + len(events_sample(date.today()))
    make("down", env)


# --- defects 11 and 12: make up on another port ---------------------------------------------------

def test_defect_11_make_up_listens_on_loopback_and_keeps_its_state_private(stack):
    import psutil

    env, port, tmp = stack
    listening = {(c.laddr.ip, c.laddr.port) for c in psutil.net_connections("inet") if c.status == "LISTEN"}
    assert ("127.0.0.1", port) in listening
    assert not {ip for ip, p in listening if p == port} - {"127.0.0.1"}, listening
    state = tmp / "state"
    assert stat.S_IMODE(state.stat().st_mode) & 0o066 == 0   # no one else lists or writes it
    for private in ("airflow", "logs"):   # the generated admin password; the task logs
        assert stat.S_IMODE((state / private).stat().st_mode) == 0o700
    assert (state / "airflow" / "simple_auth_manager_passwords.json.generated").exists()
    # Airflow's log servers cannot be bound to loopback (their host is hard-coded): they must at
    # least refuse a request that is not signed with this environment's secret key
    import urllib.error
    import urllib.request

    for log_port in sorted({p for _, p in listening} & {8793, 8794}):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{log_port}/log/dag_id=smrt_ingest/attempt=1.log", timeout=10)
        assert refused.value.code == 403


def test_defect_12_the_readme_backfill_recipe_writes_each_days_csvs_on_another_port(stack):
    env, port, tmp = stack
    days = [date(2026, 11, 1) + timedelta(days=i) for i in range(3)]
    # the README's recipe (after `eval "$(make -s env)"`)
    done = once_dags_are_parsed("airflow dags unpause smrt_reports && airflow backfill create --dag-id smrt_reports "
                                f"--from-date {days[0]} --to-date {days[-1]}", env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    reports = tmp / "data" / "reports" / "smrt"
    wanted = {f"{report}/{day}.csv" for report in ("daily_consumption", "files", "meters", "summary") for day in days}
    deadline = time.time() + 300
    while time.time() < deadline:
        written = {p.relative_to(reports).as_posix() for p in reports.rglob("*.csv")} if reports.exists() else set()
        if wanted <= written:
            break
        time.sleep(3)
    assert wanted <= written, f"missing: {sorted(wanted - written)}; task logs: {tmp / 'state' / 'logs'}"
