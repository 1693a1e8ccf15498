"""Whose scheduler drives `make run`'s runs (filegate.handoff): a live `make up`
scheduler of this environment, found from its pid file; none when the file names a dead process."""
from __future__ import annotations

import os
import subprocess
import sys

from filegate import handoff
from filegate.settings import Settings


def settings(tmp_path) -> Settings:
    return Settings(data_root=tmp_path / "data", state_dir=tmp_path / "state")


def test_no_pid_file_means_no_scheduler(tmp_path):
    assert not handoff.scheduler_alive(settings(tmp_path))


def test_a_live_standalone_is_a_scheduler_and_a_dead_one_is_not(tmp_path):
    s = settings(tmp_path)
    s.state_dir.mkdir(parents=True)
    (s.state_dir / "standalone.pid").write_text(str(os.getpid()))
    assert handoff.scheduler_alive(s)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (s.state_dir / "standalone.pid").write_text(str(gone.pid))
    assert not handoff.scheduler_alive(s)


def test_the_failed_tasks_logs_are_where_airflow_writes_them(tmp_path):
    s = settings(tmp_path)
    root = s.state_dir / "logs" / "dag_id=smrt_ingest" / "run_id=manual__1"
    assert handoff.task_log(s, "smrt_ingest", "manual__1", "claim", -1, 2) == root / "task_id=claim" / "attempt=2.log"
    assert handoff.task_log(s, "smrt_ingest", "manual__1", "convert", 3, 1) == (
        root / "task_id=convert" / "map_index=3" / "attempt=1.log")


def test_the_metadata_database_is_read_through_libpq_and_only_when_it_is_postgresql(monkeypatch):
    import psycopg

    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg://postgres@/airflow?host=/tmp/pg&port=5433")
    assert psycopg.conninfo.conninfo_to_dict(handoff.metadata_conninfo()) == {
        "user": "postgres", "dbname": "airflow", "host": "/tmp/pg", "port": "5433"}
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite:////tmp/airflow.db")
    assert handoff.metadata_conninfo() is None
