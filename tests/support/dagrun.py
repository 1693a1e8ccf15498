"""Run a DAG file for real with dag.test(), parsed afresh so it picks up the test's settings."""
from __future__ import annotations

from pathlib import Path

DAGS = Path(__file__).resolve().parents[2] / "dags"


DAG_FILE = DAGS / "filegate_datasets.py"   # every dataset's DAGs


def load_dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE))
    assert not bag.import_errors, bag.import_errors
    return bag.dags[dag_id]


def dag_ids() -> list[str]:
    from airflow.dag_processing.dagbag import DagBag

    return sorted(DagBag(dag_folder=str(DAG_FILE)).dags)


def run_dag(dag_id: str, **kwargs):
    """dag.test() the DAG; return {task_id or task_id[map_index]: state} and the run's state."""
    dag = load_dag(dag_id)
    run = dag.test(**kwargs)
    states = {}
    for ti in run.get_task_instances():
        key = ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
        states[key] = str(ti.state.value if hasattr(ti.state, "value") else ti.state)
    return str(run.state.value if hasattr(run.state, "value") else run.state), states


def kill_9_at(dag_id: str, point: str) -> None:
    """`airflow dags test <dag_id>` in its own process, killed with SIGKILL at fault point `point`
    (FILEGATE_KILL_AT), as a power cut or the OOM killer would; fails if it was not killed there."""
    import os
    import signal
    import subprocess
    import sys

    airflow = Path(sys.executable).with_name("airflow")
    killed = subprocess.run([str(airflow), "dags", "test", dag_id], capture_output=True, text=True,
                            env={**os.environ, "FILEGATE_KILL_AT": point}, timeout=600)
    assert killed.returncode == -signal.SIGKILL, f"not killed at {point}: {killed.stdout[-2000:]}{killed.stderr[-2000:]}"
    end_interrupted_runs()


def end_interrupted_runs() -> None:
    """What the next `make run` does first: the runs a killed `airflow dags test` left running are
    marked failed (else claim leaves their files to them, as to any run still going)."""
    from filegate.ops.interrupted import fail_interrupted_runs

    fail_interrupted_runs()
