"""The file ledger against the real PostgreSQL: who holds a claim when two runs overlap, and the
runs an interrupted `make run` leaves behind in Airflow."""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg

from filegate.ingest import registry
from filegate.ingest.landing import LandedFile
from filegate.ingest.registry import Action, FileStatus


def landed(tmp_path, name: str, sha: str = "bytes") -> LandedFile:
    return LandedFile(tmp_path / name, name, 1, datetime.now(timezone.utc), sha)


def test_issue25_a_claim_of_a_run_still_going_is_left_to_it_and_taken_over_once_it_ended(conninfo, tmp_path):
    """Two runs at once (`make run` beside `make up`'s scheduler): the second took over the first's
    claims, and its clean-up then dropped the first run's staging tables under it."""
    going = {"scheduled__1"}
    with psycopg.connect(conninfo) as conn:
        first = registry.decide(conn, "d", landed(tmp_path, "a.csv"), "scheduled__1", False, live=going.__contains__)
        assert first.action is Action.CLAIM
        second = registry.decide(conn, "d", landed(tmp_path, "a.csv"), "manual__2", False, live=going.__contains__)
        assert second.action is Action.LEAVE and second.file_id == first.file_id
        assert "scheduled__1, which is still going" in second.reason
        assert registry.get(conn, first.file_id).run_id == "scheduled__1"
        # a retry of the same run keeps its claim; once the run ended, the next one takes it over
        assert registry.decide(conn, "d", landed(tmp_path, "a.csv"), "scheduled__1", False,
                               live=going.__contains__).action is Action.CLAIM
        going.clear()
        taken = registry.decide(conn, "d", landed(tmp_path, "a.csv"), "manual__2", False, live=going.__contains__)
        assert taken.action is Action.CLAIM and taken.file_id == first.file_id
        again = registry.get(conn, first.file_id)
        assert again.run_id == "manual__2" and again.status is FileStatus.CLAIMED
        assert registry.claims(conn, "d") == [registry.Claims("manual__2", 1, again.handled_at)]


def test_runs_an_interrupted_make_run_left_running_are_marked_failed(conninfo, settings, airflow_db):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState, TaskInstanceState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType

    from filegate.ops.interrupted import fail_interrupted_runs
    from tests.support.helpers import drop, smrt_text

    drop(settings.landing / "smrt", "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    killed = subprocess.run([str(Path(sys.executable).with_name("airflow")), "dags", "test", "smrt_ingest"],
                            capture_output=True, text=True, env={**os.environ, "FILEGATE_KILL_AT": "convert"}, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-2000:] + killed.stderr[-2000:]
    by_hand = f"manual__by-hand-{datetime.now(timezone.utc):%H%M%S%f}"   # triggered from the UI: a scheduler's
    with create_session() as session:
        left = session.query(DagRun).filter_by(dag_id="smrt_ingest", state=DagRunState.RUNNING,
                                                triggered_by=DagRunTriggeredByType.TEST).all()
        assert left   # nobody ends the run of a killed `airflow dags test`
        interrupted = max(left, key=lambda r: r.run_after).run_id
        session.add(DagRun(dag_id="smrt_ingest", run_id=by_hand, run_type=DagRunType.MANUAL, state=DagRunState.RUNNING,
                           run_after=datetime.now(timezone.utc), triggered_by=DagRunTriggeredByType.UI))
    try:
        ended = fail_interrupted_runs()
        assert f"smrt_ingest/{interrupted}" in ended and f"smrt_ingest/{by_hand}" not in ended
        with create_session() as session:
            states = {r.run_id: r.state for r in session.query(DagRun).filter(
                DagRun.run_id.in_([interrupted, by_hand]))}
            convert = session.query(TaskInstance).filter_by(run_id=interrupted, task_id="convert").one()
        assert states == {interrupted: DagRunState.FAILED, by_hand: DagRunState.RUNNING}
        assert convert.state == TaskInstanceState.FAILED   # it was running when the process died
        assert fail_interrupted_runs() == []   # nothing twice
    finally:
        with create_session() as session:
            session.query(DagRun).filter_by(run_id=by_hand).delete()
