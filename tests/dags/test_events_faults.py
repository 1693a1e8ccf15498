"""events under kill -9, where an unkeyed table could duplicate rows: a file loaded, then
re-delivered with other lines beside a new file; `airflow dags test events_ingest` killed with
SIGKILL around the publish that replaces the file's rows, then run again, ends exactly as two
clean runs: the registry, the folders, the events (each once), nothing left claimed or staged."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import psycopg
import pytest

from tests.support.dagrun import kill_9_at, run_dag
from tests.support.helpers import leftovers, snapshot

FIRST = {"app/a.log": "ts=2024-03-01T10:00:00Z event=login user=7\n" * 2}
SECOND = {"app/a.log": "ts=2024-03-01T10:00:00Z event=login user=7\nts=2024-03-01T11:00:00Z event=logout user=7\n",
          "web/b.csv": "time,event,path\n1709290800,page_view,/home\n1709290801,page_view,/cart\n"}
_clean: dict = {}


def deliver(landing, files: dict, at: datetime) -> None:
    for name, text in files.items():
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (at.timestamp(), at.timestamp()))


def end_state(conninfo, settings) -> dict:
    state = {**snapshot(conninfo, settings), **leftovers(conninfo, settings)}
    with psycopg.connect(conninfo) as conn:
        state["events"] = conn.execute(
            "SELECT f.filename, e.line, e.ts, e.event, e.user_id, e.attributes::text FROM events.events e"
            " JOIN filegate.files f USING (file_id) ORDER BY 1, 2").fetchall()
    return state


def two_deliveries(landing, between=None) -> None:
    deliver(landing, FIRST, datetime(2026, 1, 5, 12, tzinfo=timezone.utc))
    assert run_dag("events_ingest")[0] == "success"
    deliver(landing, SECOND, datetime(2026, 1, 5, 13, tzinfo=timezone.utc))
    if between:
        between()
    assert run_dag("events_ingest")[0] == "success"


@pytest.mark.parametrize("point", ["publish.before_commit", "publish.after_commit", "archive"])
def test_kill_9_around_a_replacing_publish_then_a_rerun_ends_as_clean_runs(
        point, new_warehouse, data_root, airflow_db, monkeypatch, tmp_path):
    from filegate import settings as settings_module

    if not _clean:   # once per session: it does not depend on the step
        conninfo = new_warehouse()
        two_deliveries(data_root / "landing" / "events")
        _clean.update(end_state(conninfo, settings_module.load()))
    assert _clean["claimed"] == 0 and _clean["staging_tables"] == 0
    assert [(name, line, event) for name, line, _, event, *_ in _clean["events"]] == [
        ("app/a.log", 1, "login"), ("app/a.log", 2, "logout"), ("web/b.csv", 2, "page_view"), ("web/b.csv", 3, "page_view")]

    crash_root = tmp_path / "crash"
    monkeypatch.setenv("FILEGATE_DATA_ROOT", str(crash_root))
    conninfo = new_warehouse()
    two_deliveries(crash_root / "landing" / "events", between=lambda: kill_9_at("events_ingest", point))
    assert end_state(conninfo, settings_module.load()) == _clean
