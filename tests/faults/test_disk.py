"""The disk fills up under a run: the data root's (while files are converted, while a refused
file's reason is written, while loaded files are moved to archive), and PostgreSQL's (while the
batch is staged with COPY, while it is published). The step fails, saying so; once space is
freed, the next run ends exactly as one clean run."""
from __future__ import annotations

import psycopg
import pytest

from filegate.ingest import pipeline
from filegate.kit.errors import MachineError
from tests.support.campaign import Server, deliver, end_state, fill, tmpfs
from tests.support.helpers import run_batch


def steps_until(step: str, run_id: str, conninfo: str, settings) -> dict:
    """claim and the steps before `step`, as the DAG runs them; returns what `step` takes."""
    batch = pipeline.claim("smrt", run_id, conninfo, settings)
    if step == "convert":
        return {"files": batch}
    batch = [pipeline.convert("smrt", run_id, f, conninfo, settings) for f in batch]
    batch = pipeline.stage("smrt", run_id, batch, conninfo, settings)
    if step == "audit":
        return {"staged": batch}
    return {"audited": pipeline.audit("smrt", run_id, batch, conninfo, settings)}


def run_step(step: str, run_id: str, conninfo: str, settings, given: dict) -> None:
    if step == "convert":
        for f in given["files"]:
            pipeline.convert("smrt", run_id, f, conninfo, settings)
    elif step == "audit":
        pipeline.publish("smrt", run_id, pipeline.audit("smrt", run_id, given["staged"], conninfo, settings),
                         conninfo, settings)
    else:
        pipeline.publish("smrt", run_id, given["audited"], conninfo, settings)


@pytest.mark.parametrize("step", ["convert", "audit", "publish"])
def test_the_data_root_full_then_freed_ends_as_one_clean_run(step, clean, conninfo, settings):
    """convert writes parts (refused, then: the task fails); audit quarantines a refused file with its
    reason; publish moves the loaded files to archive, which takes no space (a rename)."""
    with tmpfs(settings.data_root, "16m"):
        deliver(settings)
        given = steps_until(step, "run-1", conninfo, settings)
        filler = fill(settings.data_root)
        if step == "publish":
            run_step(step, "run-1", conninfo, settings, given)   # moves need no space: the run ends well
        else:
            with pytest.raises(MachineError, match="the disk holding it is full"):
                run_step(step, "run-1", conninfo, settings, given)
        filler.unlink()
        run_batch("run-2", conninfo, settings)
        assert end_state(conninfo, settings) == clean


@pytest.mark.parametrize("step", ["stage", "publish"])
def test_postgresqls_disk_full_then_freed_ends_as_one_clean_run(step, clean, settings, tmp_path):
    import pwd

    pgdata = tmp_path / "server" / "pg"
    with tmpfs(pgdata, "256m", owner=str(pwd.getpwnam("embedded_postgres").pw_uid)):
        server = Server(tmp_path / "server")
        try:
            conninfo = server.conninfo()
            deliver(settings)
            batch = [pipeline.convert("smrt", "run-1", f, conninfo, settings)
                     for f in pipeline.claim("smrt", "run-1", conninfo, settings)]
            if step == "publish":
                batch = pipeline.audit("smrt", "run-1", pipeline.stage("smrt", "run-1", batch, conninfo, settings),
                                       conninfo, settings)
            filler = fill(pgdata)
            with pytest.raises(psycopg.OperationalError):   # DiskFull, or the server down if its WAL could not grow
                if step == "stage":
                    pipeline.stage("smrt", "run-1", batch, conninfo, settings)
                else:
                    pipeline.publish("smrt", "run-1", batch, conninfo, settings)
            filler.unlink()
            server.restart()
            run_batch("run-2", conninfo, settings)
            assert end_state(conninfo, settings) == clean
        finally:
            server.stop()
