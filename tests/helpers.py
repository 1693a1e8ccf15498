"""Test helpers: write small, explicit files; run one batch through the steps as the DAG does."""
from __future__ import annotations

import os
import time
from pathlib import Path


def smrt_text(generation: str, readings, created: str = "20260105 120000", trailer: bool = True) -> str:
    """readings: (meter, "YYYYMMDD", "HHMM", consumption) tuples."""
    date, clock = created.split()
    lines = [f'"HEADR","SMRT","GAZ","{date}","{clock}","{generation}"']
    lines += [f'"CONSU","{m}","{d}","{t}",{c}' for m, d, t, c in readings]
    if trailer:
        lines.append('"TRAIL"')
    return "\n".join(lines) + "\n"


def drop(folder: Path, name: str, text: str, age: float = 120) -> Path:
    """Deliver a file into a landing folder, as if it arrived `age` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def run_batch(run_id: str, conninfo: str, settings, dataset: str = "smrt") -> dict:
    """claim -> convert -> stage -> audit -> publish, exactly as the <dataset>_ingest tasks call them."""
    from filegate import pipeline

    claimed = pipeline.claim(dataset, run_id, conninfo, settings)
    converted = [pipeline.convert(dataset, run_id, f, conninfo, settings) for f in claimed]
    staged = pipeline.stage(dataset, run_id, converted, conninfo, settings)
    audited = pipeline.audit(dataset, run_id, staged, conninfo, settings)
    return pipeline.publish(dataset, run_id, audited, conninfo, settings)


def schema_drift(conninfo: str) -> tuple[set[str], list]:
    """(the schemas the declarations use, what Alembic would change to make the warehouse match
    them): an empty list means migrations and declarations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from filegate import schema
    from filegate.warehouse import sqlalchemy_url

    metadata = schema.metadata()
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
