"""events_ingest and events_reports run for real with dag.test(): the sample (every format, gzip,
bad files) loaded and refused files quarantined with their reasons; the day's four report CSVs."""
from __future__ import annotations

import csv
import json
from datetime import datetime, timezone

import psycopg

from filegate.datasets.events.sample import sample_files, write_sample
from tests.support.dagrun import run_dag


def test_the_sample_loads_and_the_day_gets_its_reports(conninfo, settings, airflow_db):
    created = datetime.now(timezone.utc)
    write_sample(settings.landing / "events", created=created)
    state, tasks = run_dag("events_ingest")

    files = sample_files(created.date())
    assert state == "success" and tasks["publish"] == "success"
    with psycopg.connect(conninfo) as conn:
        stored = dict(conn.execute("SELECT filename, status FROM filegate.files").fetchall())
        events = conn.execute("SELECT count(*) FROM events.events").fetchone()[0]
    assert stored == {name: "rejected" if kind == "bad" else "loaded" for name, (kind, _, _) in files.items()}
    assert events == sum(len(evs) for _, _, evs in files.values())
    quarantined = sorted(p.relative_to(settings.quarantine / "events").as_posix().split("/", 1)[1]
                         for p in (settings.quarantine / "events").rglob("*") if p.is_file())
    bad = sorted(n for n, (k, _, _) in files.items() if k == "bad")
    assert quarantined == sorted(bad + [f"{n}.reason.json" for n in bad])
    reason = json.loads(next((settings.quarantine / "events").rglob("api-broken.log.reason.json")).read_text())
    assert "line 7" in json.dumps(reason)

    day = created.date().isoformat()
    state, tasks = run_dag("events_reports", run_conf={"date": day})
    assert state == "success" and set(tasks.values()) == {"success"}
    written = sorted(p.relative_to(settings.reports).as_posix() for p in settings.reports.rglob("*.*"))
    assert written == [f"events/{r}/{day}.csv" for r in ("active_users", "error_rate", "events_by_type", "top_paths")]
    with open(settings.reports / "events" / "error_rate" / f"{day}.csv", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert int(row["events"]) == events
