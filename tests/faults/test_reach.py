"""What filegate cannot reach or may not change: a warehouse that refuses connections or never
answers, a warehouse role without CREATE rights, an archive folder that cannot be written. Each
is one clear line (no traceback as the only message), in bounded time; once fixed, the same
command finishes the work."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time

import psycopg
import pytest

from filegate.kit.errors import MachineError
from tests.support.campaign import deliver, end_state
from tests.support.helpers import ROOT, run_batch


def cli(command: str, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "filegate.ops.cli", command], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **env})
    return done, time.monotonic() - started


def failures(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("✗")]


def warehouse_at(host: str, port: int, login: str = "filegate", schema: str = "wh") -> str:
    return json.dumps({"conn_type": "postgres", "host": host, "port": port, "login": login, "schema": schema})


@contextlib.contextmanager
def listener_that_never_answers():
    """A TCP port that accepts connections (the kernel completes the handshake) and never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind", ["refused", "never answers"])
def test_an_unreachable_warehouse_is_one_line_in_bounded_time(kind, airflow_db):
    with contextlib.ExitStack() as stack:
        port = stack.enter_context(listener_that_never_answers()) if kind == "never answers" else free_tcp_port()
        done, took = cli("migrate", AIRFLOW_CONN_WAREHOUSE=warehouse_at("127.0.0.1", port))
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in output, output[-3000:]
    [line] = failures(done)
    assert line.startswith(f"✗ the warehouse at 127.0.0.1:{port}/wh does not answer (")
    assert "check AIRFLOW_CONN_WAREHOUSE" in line and ("refused" in line if kind == "refused" else "timeout" in line)
    assert took < 120, f"took {took:.0f} s"


def test_a_warehouse_role_without_create_rights_is_one_line_and_migrates_once_granted(conninfo, airflow_db):
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(conninfo)
    role, database = "filegate_no_create", f"{info['dbname']}_no_create"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        warehouse = warehouse_at(info["host"], int(info["port"]), login=role, schema=database)
        done, _ = cli("migrate", AIRFLOW_CONN_WAREHOUSE=warehouse)
        assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
        [line] = failures(done)
        assert line.startswith(f"✗ the warehouse role '{role}' may not create what filegate needs in ")
        assert f'GRANT CREATE ON DATABASE "{database}" TO "{role}"' in line and "nothing was changed" in line

        with psycopg.connect(conninfo.replace(f"dbname={info['dbname']}", f"dbname={database}"),
                             autocommit=True) as conn:
            conn.execute(f'GRANT CREATE ON DATABASE "{database}" TO "{role}"')
        done, _ = cli("migrate", AIRFLOW_CONN_WAREHOUSE=warehouse)
        assert done.returncode == 0 and failures(done) == [], done.stdout[-3000:] + done.stderr[-3000:]
        assert "warehouse schema at the latest migration" in done.stdout + done.stderr
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@contextlib.contextmanager
def unwritable(folder, how: str):
    folder.mkdir(parents=True, exist_ok=True)
    if how == "chattr +i":
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
    try:
        yield
    finally:
        if how == "chattr +i":
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


@pytest.mark.parametrize("how", [
    "chattr +i",
    pytest.param("chmod", marks=pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any mode")),
])
def test_an_archive_folder_that_cannot_be_written_is_one_line_then_the_work_finishes(
        how, clean, conninfo, settings):
    if how == "chattr +i" and os.geteuid() != 0:
        pytest.skip("chattr +i needs root")
    deliver(settings)
    with unwritable(settings.archive, how):
        with pytest.raises(MachineError) as said:
            run_batch("run-1", conninfo, settings)
    message = str(said.value)
    assert "\n" not in message and message.startswith("could not move ")
    assert "the folder cannot be written" in message and "the next run moves it once this is fixed" in message
    run_batch("run-2", conninfo, settings)   # fixed: the loaded files are archived, nothing loads twice
    assert end_state(conninfo, settings) == clean


def test_make_runs_line_for_a_dag_that_failed_on_the_machine(conninfo, settings, airflow_db, capsys):
    """What `make run` says when a DAG failed on a MachineError: that line, and where the log is."""
    from filegate.datasets.smrt.sample import write_sample
    from filegate.ops import cli as cli_module

    write_sample(settings.landing / "smrt")
    with unwritable(settings.archive, "chattr +i"):
        assert cli_module._dag("smrt_ingest", settings, conninfo) is False
    captured = capsys.readouterr()
    out = captured.out + captured.err
    lines = [line for line in out.splitlines() if line.startswith("✗")]
    assert len(lines) == 1 and lines[0].startswith("✗ smrt_ingest: could not move "), out[-3000:]
    assert "`chattr -i`" in lines[0] and "Traceback" not in out
