"""`make run` beside a running scheduler: the scheduler runs the DAG and `make run` waits for it.

`airflow dags test` drives its run itself. Beside the environment's scheduler (`make up`) that
makes two drivers for one run: the scheduler examines every running run of an unpaused DAG, test
runs included, so both queue its tasks and both write its rows, and their
transactions deadlock in Airflow's metadata database now and then (seen: `deadlock detected ...
while updating tuple in relation "dag_run"`, which failed a `make run` whose work was done). So
while this environment's scheduler is alive and the DAG is unpaused, `make run` triggers the run
and waits for the scheduler to end it; otherwise it runs `airflow dags test` as before.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

from filegate.ops.processes import airflow, say, standalone_pid
from filegate.settings import Settings

POLL_SECONDS = 2
PROGRESS_SECONDS = 60
FINISHED = ("success", "failed")
GOING = ("running", "queued", "up_for_reschedule", "up_for_retry")


def applies(s: Settings, dag_id: str) -> bool:
    """Whether the scheduler would drive a run of `dag_id` too: `make up`'s is alive and the DAG
    unpaused. Airflow's metadata database is read through Airflow's own session, as
    `filegate.ops.interrupted` does."""
    if standalone_pid(s) is None:
        return False
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        paused = session.scalar(select(DagModel.is_paused).where(DagModel.dag_id == dag_id))
    return paused is False   # None: a DAG the scheduler has not parsed yet drives nothing


def run(s: Settings, dag_id: str, conf: str | None = None) -> tuple[bool, list[Path]]:
    """Trigger `dag_id` for the scheduler and wait for the run to end; (succeeded, the logs of its
    failed tasks). The trigger's own output goes to logs/filegate/<dag_id>.log."""
    run_id = f"manual__make_run_{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S.%fZ')}"
    args = ["dags", "trigger", dag_id, "--run-id", run_id, *(["--conf", conf] if conf else [])]
    if airflow(args, dag_id, s) != 0:
        return False, []
    say(f"  this environment's scheduler is running: {dag_id} is handed to it as run {run_id}")
    started = time.time()
    state = wait(s, dag_id, run_id)
    if state is None:
        say(f"  the scheduler stopped while run {run_id} was not finished; `make up` and `make run` again finish it")
        return False, []
    say(f"  run {run_id} ended {state} after {time.time() - started:.0f} s")
    return state == "success", [] if state == "success" else failed_task_logs(dag_id, run_id)


def wait(s: Settings, dag_id: str, run_id: str) -> str | None:
    """Poll the run's state until it ends (its state) or the scheduler is gone (None)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    started = told = time.time()
    while True:
        with create_session() as session:
            state = session.scalar(select(DagRun.state).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
            if state in FINISHED:
                return str(state)
            if time.time() - told > PROGRESS_SECONDS:
                going = session.scalars(select(TaskInstance.task_id).distinct().where(
                    TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id, TaskInstance.state.in_(GOING))).all()
                say(f"  {dag_id}: still {state or 'queued'} after {time.time() - started:.0f} s"
                    f"{' (' + ', '.join(sorted(going)) + ')' if going else ''}")
                told = time.time()
        if standalone_pid(s) is None:
            return None
        time.sleep(POLL_SECONDS)


def failed_task_logs(dag_id: str, run_id: str) -> list[Path]:
    """The log file of each failed task instance of the run, where Airflow wrote it."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from filegate.ops.tasklog import log_path

    with create_session() as session:
        failed = session.scalars(select(TaskInstance).where(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id, TaskInstance.state == "failed")
            .order_by(TaskInstance.task_id, TaskInstance.map_index)).all()
        return [log_path(ti) for ti in failed]
