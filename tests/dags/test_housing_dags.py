"""housing_ingest and housing_reports run for real with dag.test(): the sample in groups of files
per convert task, a file arriving while the continuous DAG waits, reports after each publish."""
from __future__ import annotations

import json
import threading
import time

import psycopg

from filegate.datasets.housing.sample import response, sample_files, write_sample
from tests.support.dagrun import load_dag, run_dag


def statuses(conninfo) -> dict[str, str]:
    with psycopg.connect(conninfo) as conn:
        return dict(conn.execute("SELECT filename, status FROM filegate.files").fetchall())


def test_the_sample_loads_in_groups_of_files_per_convert_task(conninfo, settings, airflow_db, monkeypatch):
    monkeypatch.setenv("FILEGATE_HOUSING_FILES_PER_TASK", "10")
    write_sample(settings.landing / "housing")
    state, tasks = run_dag("housing_ingest")

    files = sample_files()
    assert state == "success"
    assert sorted(k for k in tasks if k.startswith("convert")) == [f"convert[{i}]" for i in range(4)]   # 35 files
    assert statuses(conninfo) == {name: "rejected" if kind == "bad" else "loaded" for name, (kind, _) in files.items()}
    assert sorted(p.name for p in (settings.archive / "housing").rglob("*.json")) == \
        sorted(n for n, (k, _) in files.items() if k != "bad")


def test_a_file_arriving_while_the_continuous_dag_waits_is_loaded_by_that_run(
        conninfo, settings, airflow_db, monkeypatch):
    assert type(load_dag("housing_ingest").timetable).__name__ == "ContinuousTimetable"   # the default
    monkeypatch.setenv("FILEGATE_SENSOR_TIMEOUT", "60")
    landing = settings.landing / "housing"
    sale = {"identifier": {"attomId": 7}, "sale": {"saleTransDate": "2021-1-4", "amount": {"saleamt": 5}}}

    def deliver_later():
        time.sleep(4)   # the run has started and its sensor is waiting on an empty folder
        landing.mkdir(parents=True, exist_ok=True)
        (landing / "late.json.part").write_text(json.dumps(response([sale])))
        (landing / "late.json.part").rename(landing / "late.json")   # the sender's last step

    sender = threading.Thread(target=deliver_later)
    started = time.time()
    sender.start()
    state, tasks = run_dag("housing_ingest", run_conf={"wait_for_files": True})   # a hand-run waits only if asked
    sender.join()

    assert state == "success" and tasks["publish"] == "success" and time.time() - started < 60
    assert statuses(conninfo) == {"late.json": "loaded"}
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT attom_id, sale_amount::int FROM housing.sales").fetchall() == [(7, 5)]


def test_the_reports_run_daily_and_after_each_publish(conninfo, settings, airflow_db):
    timetable = load_dag("housing_reports").timetable
    from filegate.dags import asset_for

    assert type(timetable).__name__ == "AssetOrTimeSchedule" and timetable.asset_condition == asset_for("housing")
    assert type(timetable.timetable).__name__ == "CronDataIntervalTimetable"
    write_sample(settings.landing / "housing")
    run_dag("housing_ingest")
    state, tasks = run_dag("housing_reports", run_conf={"date": "2026-11-20"})
    assert state == "success" and set(tasks.values()) == {"success"}
    written = sorted(p.relative_to(settings.reports).as_posix() for p in settings.reports.rglob("*.csv"))
    assert written == [f"housing/{r}/2026-11-20.csv" for r in ("sales_by_postal_month", "sales_by_type", "summary")]
