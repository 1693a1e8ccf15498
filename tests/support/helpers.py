"""Test helpers: write small, explicit files; run one batch through the steps as the DAG does."""
from __future__ import annotations

import os
import subprocess
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def smrt_text(generation: str, readings, created: str = "20260105 120000", trailer: bool = True) -> str:
    """readings: (meter, "YYYYMMDD", "HHMM", consumption) tuples."""
    date, clock = created.split()
    lines = [f'"HEADR","SMRT","GAZ","{date}","{clock}","{generation}"']
    lines += [f'"CONSU","{m}","{d}","{t}",{c}' for m, d, t, c in readings]
    if trailer:
        lines.append('"TRAIL"')
    return "\n".join(lines) + "\n"


def drop(folder: Path, name: str, data: str | bytes, age: float = 120, at: datetime | None = None) -> Path:
    """Deliver a file (`name` may hold subfolders) into a landing folder, as if it arrived `age`
    seconds ago (or `at` that moment): the one way every test delivers a file."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    stamp = at.timestamp() if at is not None else time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def run_batch(run_id: str, conninfo: str, settings, dataset: str = "smrt"):
    """claim -> convert -> stage -> audit -> publish, exactly as the <dataset>_ingest tasks call them."""
    from filegate.ingest import pipeline

    claimed = pipeline.claim(dataset, run_id, conninfo, settings)
    converted = [pipeline.convert(dataset, run_id, f, conninfo, settings) for f in claimed]
    staged = pipeline.stage(dataset, run_id, converted, conninfo, settings)
    audited = pipeline.audit(dataset, run_id, staged, conninfo, settings)
    return pipeline.publish(dataset, run_id, audited, conninfo, settings)


def snapshot(conninfo, settings) -> dict:
    """Everything a run leaves behind, minus what differs between any two runs (ids, times, run ids)."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        files = conn.execute(
            "SELECT filename, status, reason, rows_read, rows_loaded, sha256, header FROM filegate.files"
            " ORDER BY filename, status").fetchall()
        readings = conn.execute(
            "SELECT r.meter_number, r.reading_start_utc, r.consumption, f.filename, r.line"
            " FROM smrt.readings r JOIN filegate.files f USING (file_id) ORDER BY 1, 2").fetchall()
        meters = conn.execute("SELECT m.meter_number, f.filename FROM smrt.meters m"
                              " JOIN filegate.files f ON f.file_id = m.first_file_id ORDER BY 1").fetchall()
        staging = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'").fetchone()[0]

    def names(root):
        return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return {"files": files, "readings": readings, "meters": meters, "staging_tables": staging,
            "landing": names(settings.landing), "archive": names(settings.archive),
            "quarantine": names(settings.quarantine)}


def leftovers(conninfo, settings) -> dict:
    """What an interrupted run could leave behind and a finished one must not: files still
    claimed, converted parts."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        claimed = conn.execute("SELECT count(*) FROM filegate.files WHERE status = 'claimed'").fetchone()[0]
    return {"claimed": claimed,
            "parts": sorted(str(p.relative_to(settings.processed)) for p in settings.processed.rglob("parts"))}


def schema_drift(conninfo: str) -> tuple[set[str], list]:
    """(the schemas the declarations use, what Alembic would change to make the warehouse match
    them): an empty list means migrations and declarations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from filegate.warehouse import migrate
    from filegate.warehouse.connection import sqlalchemy_url

    metadata = migrate.metadata()
    ours = {t.schema for t in metadata.tables.values()}
    engine = create_engine(sqlalchemy_url(conninfo))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "include_schemas": True, "compare_type": True, "version_table_schema": "filegate",
                "include_name": lambda name, kind, parent: kind != "schema" or name in ours,
            })
            return ours, compare_metadata(context, metadata)
    finally:
        engine.dispose()


def own_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A person's shell with its own state folder and data root: nothing of the test session's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "FILEGATE_"))}
    return {**env, "FILEGATE_STATE_DIR": str(tmp_path / "state"), "FILEGATE_DATA_ROOT": str(tmp_path / "data"),
            **extra}


def make(target: str, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def once_dags_are_parsed(script: str, env: dict, seconds: float = 240) -> subprocess.CompletedProcess:
    """Run a bash `script` of airflow commands (after `eval "$(make -s env)"`, as the README
    says) until it succeeds: under `make up`, a DAG is known once the dag processor parsed it."""
    deadline = time.time() + seconds
    while True:
        done = subprocess.run(["bash", "-c", f'eval "$(make -s env)" && {script}'], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode == 0 or time.time() > deadline:
            return done
        time.sleep(5)


def warehouse(env: dict) -> str:
    """The conninfo of the stack's warehouse, from the environment `make -s env` exports."""
    from airflow.sdk import Connection

    from filegate.warehouse.connection import conninfo_of

    exported = subprocess.run(["bash", "-c", 'eval "$(make -s env)" && printf %s "$AIRFLOW_CONN_WAREHOUSE"'],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return conninfo_of(Connection.from_json(exported, conn_id="warehouse"))
