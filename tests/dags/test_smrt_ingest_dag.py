"""smrt_ingest run for real with dag.test() against the embedded PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg
import pytest

from filegate.datasets.smrt.sample import BAD, GOOD, sample_files, write_sample
from tests.support.dagrun import run_dag
from tests.support.helpers import snapshot

END = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)


def test_the_sample_loads_good_files_and_quarantines_each_bad_one(conninfo, settings, airflow_db):
    write_sample(settings.landing / "smrt", end=END)
    state, tasks = run_dag("smrt_ingest")

    assert state == "success"
    assert {k: v for k, v in tasks.items() if not k.startswith("convert")} == {
        "wait_for_files": "success", "claim": "success", "stage": "success", "audit": "success",
        "publish": "success"}
    expected = sample_files(END)
    with psycopg.connect(conninfo) as conn:
        status = dict(conn.execute("SELECT filename, status FROM filegate.files").fetchall())
    assert status == {name: ("loaded" if kind == GOOD else "rejected") for name, (kind, _, _) in expected.items()}
    snap = snapshot(conninfo, settings)
    assert snap["landing"] == [] and snap["staging_tables"] == 0
    assert snap["archive"] == sorted(n for n, (k, _, _) in expected.items() if k == GOOD)
    assert snap["quarantine"] == sorted([n for n, (k, _, _) in expected.items() if k == BAD] +
                                        [f"{n}.reason.json" for n, (k, _, _) in expected.items() if k == BAD])


def test_nothing_arriving_skips_the_run_instead_of_failing_it(conninfo, settings, airflow_db):
    state, tasks = run_dag("smrt_ingest")
    assert state == "success"
    assert set(tasks.values()) == {"skipped"}


def test_a_second_run_over_the_same_folder_finds_nothing_new(conninfo, settings, airflow_db):
    write_sample(settings.landing / "smrt", end=END)
    run_dag("smrt_ingest")
    before = snapshot(conninfo, settings)
    state, tasks = run_dag("smrt_ingest")
    assert state == "success" and tasks["claim"] == "skipped"
    assert snapshot(conninfo, settings) == before


@pytest.mark.parametrize("fault", ["publish.before_commit", "publish.after_commit"])
def test_a_crash_in_publish_then_the_retry_ends_exactly_as_one_clean_run(
        fault, new_warehouse, data_root, airflow_db, monkeypatch, tmp_path):
    from filegate import settings as settings_module
    from filegate.ingest import faults

    clean_db = new_warehouse()
    write_sample(data_root / "landing" / "smrt", end=END)
    assert run_dag("smrt_ingest")[0] == "success"
    clean = snapshot(clean_db, settings_module.load())

    crash_root = tmp_path / "crash"
    monkeypatch.setenv("FILEGATE_DATA_ROOT", str(crash_root))
    crash_db = new_warehouse()
    write_sample(crash_root / "landing" / "smrt", end=END)
    monkeypatch.setenv("FILEGATE_INJECT_FAULT", fault)
    monkeypatch.setattr(faults, "_fired", set())
    state, tasks = run_dag("smrt_ingest")

    assert faults._fired == {fault}, "the fault was not injected"
    assert state == "success" and tasks["publish"] == "success"   # the retry went through
    assert snapshot(crash_db, settings_module.load()) == clean


def test_a_run_where_every_file_is_refused_publishes_nothing_and_emits_no_asset(conninfo, settings, airflow_db):
    from tests.support.helpers import drop, smrt_text

    drop(settings.landing / "smrt", "PN000001.SMRT", smrt_text("PN000001", [], trailer=False))
    state, tasks = run_dag("smrt_ingest")
    assert state == "success"
    assert tasks["convert[0]"] == "success" and tasks["publish"] == "skipped"
    snap = snapshot(conninfo, settings)
    assert [f[1] for f in snap["files"]] == ["rejected"] and snap["staging_tables"] == 0
