"""wells_ingest and wells_reports run for real with dag.test(): the sample (masters, production,
bad files) loaded, refused files quarantined; the reports and the operator_wells export for a day."""
from __future__ import annotations

import gzip
import json

import psycopg

from filegate.datasets.wells.sample import sample_files, write_sample
from tests.support.dagrun import run_dag


def test_the_sample_loads_and_the_day_gets_its_reports_and_export(conninfo, settings, airflow_db):
    write_sample(settings.landing / "wells")
    state, tasks = run_dag("wells_ingest")

    files = sample_files()
    assert state == "success" and tasks["publish"] == "success"
    with psycopg.connect(conninfo) as conn:
        stored = dict(conn.execute("SELECT filename, status FROM filegate.files").fetchall())
        operators = conn.execute("SELECT count(*), sum(wells) FROM wells.operators").fetchone()
        wells = conn.execute("SELECT count(*) FROM wells.wells").fetchone()[0]
    assert stored == {name: "rejected" if kind == "bad" else "loaded" for name, (kind, _) in files.items()}
    assert wells == 62 and operators[1] == 62
    assert sorted(p.name for p in (settings.quarantine / "wells").rglob("*.json")
                  if not p.name.endswith(".reason.json")) == sorted(n for n, (k, _) in files.items() if k == "bad")

    state, tasks = run_dag("wells_reports", run_conf={"date": "2026-11-20"})
    assert state == "success" and set(tasks.values()) == {"success"}
    written = sorted(p.relative_to(settings.reports).as_posix() for p in settings.reports.rglob("*.*"))
    assert written == ["wells/api_operator_index/2026-11-20.csv", "wells/operator_monthly/2026-11-20.csv",
                       "wells/operator_summary/2026-11-20.csv", "wells/operator_wells/2026-11-20.json.gz"]
    with gzip.open(settings.reports / "wells" / "operator_wells" / "2026-11-20.json.gz", "rt") as f:
        lines = [json.loads(line) for line in f]
    assert len(lines) == operators[0] and sum(len(line["wells"]) for line in lines) == 62
