"""Fault injection at every step (filegate.ingest.faults.POINTS): `airflow dags test smrt_ingest` is
killed with SIGKILL there, then the DAG runs again. Whatever the step, the end state must be
exactly that of one clean run: tables, registry and folders; no file lost (landing + archive +
quarantine = received), none left claimed, no staging table or converted parts left over."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from filegate.datasets.smrt.sample import sample_files, write_sample
from filegate.ingest import faults
from tests.support.dagrun import kill_9_at, run_dag
from tests.support.helpers import leftovers, snapshot

END = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)
_clean: dict = {}


def end_state(conninfo, settings) -> dict:
    return {**snapshot(conninfo, settings), **leftovers(conninfo, settings)}


def clean_run(new_warehouse, data_root) -> dict:
    """One uninterrupted run of the sample (once per session: it does not depend on the step)."""
    from filegate import settings as settings_module

    if not _clean:
        conninfo = new_warehouse()
        write_sample(data_root / "landing" / "smrt", end=END)
        assert run_dag("smrt_ingest")[0] == "success"
        _clean.update(end_state(conninfo, settings_module.load()))
    return _clean


@pytest.mark.parametrize("point", faults.POINTS)
def test_kill_9_at_any_step_then_a_rerun_ends_exactly_as_one_clean_run(
        point, new_warehouse, data_root, airflow_db, monkeypatch, tmp_path):
    from filegate import settings as settings_module

    clean = clean_run(new_warehouse, data_root)
    assert clean["claimed"] == 0 and clean["staging_tables"] == 0 and clean["parts"] == [] and clean["archive"]

    crash_root = tmp_path / "crash"
    monkeypatch.setenv("FILEGATE_DATA_ROOT", str(crash_root))
    conninfo = new_warehouse()
    write_sample(crash_root / "landing" / "smrt", end=END)
    kill_9_at("smrt_ingest", point)

    state, _ = run_dag("smrt_ingest")
    assert state == "success"
    after = end_state(conninfo, settings_module.load())
    assert after == clean
    received = len(sample_files(END))
    assert len([n for n in after["archive"] + after["quarantine"] if not n.endswith(".reason.json")]) == received
