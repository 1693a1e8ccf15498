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

import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from filegate.processes import airflow, alive, say
from filegate.settings import Settings

if TYPE_CHECKING:
    import psycopg

POLL_SECONDS = 2
PROGRESS_SECONDS = 60
FINISHED = ("success", "failed")


def scheduler_alive(s: Settings) -> bool:
    """Whether this environment's scheduler runs: `make up`'s standalone, by its pid file."""
    standalone = s.state_dir / "standalone.pid"
    return standalone.exists() and alive(int(standalone.read_text() or 0))


def metadata_conninfo() -> str | None:
    """Airflow's metadata database as libpq takes it, or None when it is not PostgreSQL."""
    from sqlalchemy.engine import make_url

    url = make_url(os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite://"))
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def metadata() -> psycopg.Connection:
    """A connection to Airflow's metadata database (PostgreSQL: `applies` checked it)."""
    import psycopg

    conninfo = metadata_conninfo()
    if conninfo is None:
        raise RuntimeError("Airflow's metadata database is not PostgreSQL: `make run` cannot follow the scheduler's run")
    return psycopg.connect(conninfo, connect_timeout=10)


def applies(s: Settings, dag_id: str) -> bool:
    """Whether the scheduler would drive a run of `dag_id` too: it is alive and the DAG unpaused."""
    if metadata_conninfo() is None or not scheduler_alive(s):
        return False
    with metadata() as conn:
        row = conn.execute("SELECT is_paused FROM dag WHERE dag_id = %s", (dag_id,)).fetchone()
    return row is not None and not row[0]


def run(s: Settings, dag_id: str, log_name: str, conf: str | None = None) -> tuple[bool, list[Path]]:
    """Trigger `dag_id` for the scheduler and wait for the run to end; (succeeded, the logs of its
    failed tasks). The trigger's own output goes to logs/filegate/<log_name>.log."""
    run_id = f"manual__make_run_{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S.%fZ')}"
    args = ["dags", "trigger", dag_id, "--run-id", run_id, *(["--conf", conf] if conf else [])]
    if airflow(args, log_name, s) != 0:
        return False, []
    say(f"  this environment's scheduler is running: {dag_id} is handed to it as run {run_id}")
    started = time.time()
    state = wait(s, dag_id, run_id)
    took = time.time() - started
    if state is None:
        say(f"  the scheduler stopped while run {run_id} was not finished; `make up` and `make run` again finish it")
        return False, []
    say(f"  run {run_id} ended {state} after {took:.0f} s")
    return state == "success", failed_task_logs(s, dag_id, run_id) if state != "success" else []


def wait(s: Settings, dag_id: str, run_id: str) -> str | None:
    """Poll the run's state until it ends (its state) or the scheduler is gone (None)."""
    started = told = time.time()
    while True:
        with metadata() as conn:
            row = conn.execute("SELECT state FROM dag_run WHERE dag_id = %s AND run_id = %s", (dag_id, run_id)).fetchone()
            state = row[0] if row else "queued"   # the trigger committed it; read as not started yet
            if state in FINISHED:
                return state
            if time.time() - told > PROGRESS_SECONDS:
                going = [r[0] for r in conn.execute(
                    "SELECT DISTINCT task_id FROM task_instance WHERE dag_id = %s AND run_id = %s"
                    " AND state IN ('running', 'queued', 'up_for_reschedule', 'up_for_retry')", (dag_id, run_id))]
                say(f"  {dag_id}: still {state} after {time.time() - started:.0f} s"
                    f"{' (' + ', '.join(sorted(going)) + ')' if going else ''}")
                told = time.time()
        if not scheduler_alive(s):
            return None
        time.sleep(POLL_SECONDS)


def failed_task_logs(s: Settings, dag_id: str, run_id: str) -> list[Path]:
    """The log file of each failed task instance of the run, where Airflow wrote it."""
    with metadata() as conn:
        failed = conn.execute("SELECT task_id, map_index, try_number FROM task_instance WHERE dag_id = %s"
                              " AND run_id = %s AND state = 'failed' ORDER BY task_id, map_index",
                              (dag_id, run_id)).fetchall()
    return [task_log(s, dag_id, run_id, *row) for row in failed]


def task_log(s: Settings, dag_id: str, run_id: str, task_id: str, map_index: int, try_number: int) -> Path:
    """Where Airflow writes the log of one attempt of a task instance (its default file layout)."""
    folder = s.state_dir / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
    if map_index >= 0:
        folder /= f"map_index={map_index}"
    return folder / f"attempt={try_number}.log"
