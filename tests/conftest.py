"""Test infrastructure: a real embedded PostgreSQL for the session, a fresh migrated warehouse
database per test (cloned from a migrated template), real Airflow (metadata DB migrated once).

Tests that need the server are marked `db` (those under integration/, dags/ and bench/, and any
using a database fixture); the server starts once collection is over, only if a selected test
needs it, so `pytest -m "not db"` runs with no PostgreSQL at all. Its environment is set before
any test runs and so before anything imports Airflow, which reads its configuration on first
import: test modules import Airflow inside their tests, never at the top.
"""
from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DB_FOLDERS = ("integration", "dags", "bench", "outside_in", "cluster", "ui", "faults")
DB_FIXTURES = {"conninfo", "new_warehouse", "warehouse_template", "airflow_db"}

_session: dict = {}
_db_numbers = itertools.count(1)


def pytest_configure(config):
    from filegate import settings
    from filegate.ops import embedded

    config.addinivalue_line("markers", "db: needs the real PostgreSQL server (started once, when first needed)")
    config.addinivalue_line("markers", "cluster: starts `make cluster` (its own PostgreSQL, Redis, Airflow parts and "
                                       "Celery workers); minutes")
    # a short path: the server's Unix socket lives inside it
    state = Path(tempfile.mkdtemp(prefix="fg-test-"))
    os.environ["FILEGATE_STATE_DIR"] = str(state)
    os.environ["FILEGATE_DATA_ROOT"] = str(state / "data")
    for name in ("AIRFLOW_CONN_WAREHOUSE", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "FILEGATE_DATASETS_PATH"):
        os.environ.pop(name, None)
    s = settings.load()
    os.environ.update(embedded.airflow_environment(s, None))
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
    _session.update(state=state, settings=s)


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(str(item.fspath)).relative_to(ROOT / "tests").parts[0]
        if folder in DB_FOLDERS or DB_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.db)


def pytest_collection_finish(session):
    """After selection (`-m "not db"` included): start the server if a selected test needs it."""
    if any(item.get_closest_marker("db") for item in session.items):
        from filegate.ops import embedded

        s = _session["settings"]
        server = embedded.start(s)
        os.environ.update(embedded.airflow_environment(s, server))
        _session.update(server=server, admin=_conninfo(server, "postgres"))


def pytest_unconfigure(config):
    if "state" in _session:
        from filegate.ops import embedded

        if "server" in _session:
            embedded.stop(_session["settings"])
        shutil.rmtree(_session["state"], ignore_errors=True)


def _conninfo(server, dbname: str) -> str:
    from filegate.ops import embedded

    info = server.get_postmaster_info()
    return f"host={embedded.socket_dir(server)} port={info.port} user=postgres dbname={dbname}"


@pytest.fixture(scope="session")
def warehouse_template() -> str:
    """A database migrated once; every test's warehouse is a cheap copy of it."""
    import psycopg

    from filegate.warehouse import migrate

    with psycopg.connect(_session["admin"], autocommit=True) as conn:
        conn.execute("CREATE DATABASE wh_template")
    migrate.upgrade(_conninfo(_session["server"], "wh_template"))
    return "wh_template"


@pytest.fixture
def new_warehouse(warehouse_template, monkeypatch):
    """Make a fresh, migrated warehouse database and point Airflow's `warehouse` connection at
    it; return its conninfo. Dropped after the test."""
    import psycopg

    from filegate.ops import embedded

    server = _session["server"]
    made = []

    def make() -> str:
        name = f"wh_{next(_db_numbers)}"
        with psycopg.connect(_session["admin"], autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{warehouse_template}"')
        made.append(name)
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({
            "conn_type": "postgres", "host": embedded.socket_dir(server),
            "port": server.get_postmaster_info().port, "login": "postgres", "schema": name}))
        return _conninfo(server, name)

    yield make
    with psycopg.connect(_session["admin"], autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def conninfo(new_warehouse) -> str:
    """A fresh, migrated warehouse database, also Airflow's `warehouse` connection."""
    return new_warehouse()


@pytest.fixture
def data_root(tmp_path, monkeypatch) -> Path:
    """An empty data root; files count as complete at once and sensors give up quickly."""
    root = tmp_path / "data"
    monkeypatch.setenv("FILEGATE_DATA_ROOT", str(root))
    monkeypatch.setenv("FILEGATE_MIN_FILE_AGE", "0")
    monkeypatch.setenv("FILEGATE_POKE_INTERVAL", "1")
    monkeypatch.setenv("FILEGATE_SENSOR_TIMEOUT", "3")
    monkeypatch.setenv("FILEGATE_RETRY_DELAY", "0")
    monkeypatch.delenv("FILEGATE_INJECT_FAULT", raising=False)
    return root


@pytest.fixture
def settings(data_root):
    from filegate import settings as settings_module

    return settings_module.load()


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata database, migrated once per session (DAG tests need it)."""
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
