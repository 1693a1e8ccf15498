"""Runs an interrupted `make run` left behind in Airflow's metadata database.

`make run` runs each DAG with `airflow dags test`, in its own process and with no scheduler: when
that process is killed (kill -9, a power cut, `make down`), nobody ends its run, and Airflow shows
it running forever. Claim leaves the files of a run still going to it, so such a run would also
hold its files for FILEGATE_CLAIM_TIMEOUT. `make run` and `make up` hold the environment's lock
while they set up, so no `airflow dags test` of theirs is alive then: every such run still
queued or running is one that was interrupted, and is marked failed, with its unfinished tasks.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def fail_interrupted_runs() -> list[str]:
    """Mark failed the `airflow dags test` runs still queued or running; return "<dag>/<run>" of each."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState, State, TaskInstanceState
    from airflow.utils.types import DagRunTriggeredByType
    from sqlalchemy import select

    with create_session() as session:
        runs = session.scalars(select(DagRun).where(
            DagRun.triggered_by == DagRunTriggeredByType.TEST,
            DagRun.state.in_([DagRunState.QUEUED, DagRunState.RUNNING]))).all()
        for run in runs:
            for ti in session.scalars(select(TaskInstance).where(
                    TaskInstance.dag_id == run.dag_id, TaskInstance.run_id == run.run_id,
                    TaskInstance.state.in_([s for s in State.unfinished if s is not None]))):
                ti.state = TaskInstanceState.FAILED
            run.state = DagRunState.FAILED
        names = [f"{run.dag_id}/{run.run_id}" for run in runs]
    if names:
        log.warning("marked failed %d run(s) an interrupted `make run` left running: %s", len(names), ", ".join(names))
    return names
