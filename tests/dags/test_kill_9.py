"""Kill -9 at the steps (filegate.ingest.faults.POINTS): `airflow dags test <dataset>_ingest` is
killed with SIGKILL there, as a power cut or the OOM killer would, then the DAG runs again. The end
state must be exactly that of clean runs: tables, registry and folders; no file lost (landing +
archive + quarantine = received), none left claimed, no staging table or converted parts left.

smrt at every point; wells, whose derived tables are kept in the publish transaction, at each
step; events where an unkeyed table could duplicate rows: a file loaded, then re-delivered with
other lines beside a new file, killed around the publish that replaces the file's rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import psycopg
import pytest

from filegate.datasets.smrt import sample as smrt_sample
from filegate.datasets.wells import sample as wells_sample
from filegate.ingest import faults
from tests.support.dagrun import kill_9_at, run_dag
from tests.support.helpers import drop, leftovers, snapshot

AT = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)
EVENTS_FIRST = {"app/a.log": "ts=2024-03-01T10:00:00Z event=login user=7\n" * 2}
EVENTS_SECOND = {"app/a.log": "ts=2024-03-01T10:00:00Z event=login user=7\nts=2024-03-01T11:00:00Z event=logout user=7\n",
                 "web/b.csv": "time,event,path\n1709290800,page_view,/home\n1709290801,page_view,/cart\n"}


@dataclass(frozen=True)
class Flow:
    """A dataset's deliveries and its runs; `crash` (a kill -9 run, or nothing for the clean runs)
    comes right before the last run."""
    dataset: str
    points: tuple[str, ...]
    runs: Callable[[Path, Callable[[], None]], None]
    tables: Callable[[psycopg.Connection], dict]
    received: int | None   # files the flow delivers, all of which end in archive or quarantine

    @property
    def dag(self) -> str:
        return f"{self.dataset}_ingest"

    def last_run(self, crash: Callable[[], None]) -> None:
        crash()
        assert run_dag(self.dag)[0] == "success"


def smrt_runs(landing: Path, crash) -> None:
    smrt_sample.write_sample(landing, end=AT)
    SMRT.last_run(crash)


def wells_runs(landing: Path, crash) -> None:
    wells_sample.write_sample(landing, created=AT)
    WELLS.last_run(crash)


def events_runs(landing: Path, crash) -> None:
    for name, text in EVENTS_FIRST.items():
        drop(landing, name, text, at=AT)
    assert run_dag("events_ingest")[0] == "success"
    for name, text in EVENTS_SECOND.items():
        drop(landing, name, text, at=AT.replace(hour=13))
    EVENTS.last_run(crash)


def no_tables(conn) -> dict:
    return {}


def wells_tables(conn) -> dict:
    state = {}
    for table, lineage in (("wells", True), ("production", True), ("well_production", False), ("operators", False)):
        joined = ", f.filename, t.line FROM wells.{0} t JOIN filegate.files f USING (file_id)" if lineage \
            else " FROM wells.{0} t"
        columns = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'wells' AND table_name = %s"
            " AND column_name NOT IN ('file_id', 'line', 'loaded_at') ORDER BY ordinal_position", (table,))]
        state[table] = conn.execute("SELECT " + ", ".join(f"t.{c}" for c in columns) + joined.format(table)
                                    + " ORDER BY 1, 2, 3").fetchall()
    return state


def events_tables(conn) -> dict:
    return {"events": conn.execute(
        "SELECT f.filename, e.line, e.ts, e.event, e.user_id, e.attributes::text FROM events.events e"
        " JOIN filegate.files f USING (file_id) ORDER BY 1, 2").fetchall()}


SMRT = Flow("smrt", tuple(faults.POINTS), smrt_runs, no_tables, len(smrt_sample.sample_files(AT)))
WELLS = Flow("wells", ("convert", "stage", "publish.before_commit", "publish.after_commit", "archive"),
             wells_runs, wells_tables, len(wells_sample.sample_files()))
EVENTS = Flow("events", ("publish.before_commit", "publish.after_commit", "archive"), events_runs, events_tables, None)
CASES = [pytest.param(flow, point, id=f"{flow.dataset}-{point}") for flow in (SMRT, WELLS, EVENTS)
         for point in flow.points]
_clean: dict[str, dict] = {}


def end_state(flow: Flow, conninfo: str) -> dict:
    from filegate import settings as settings_module

    s = settings_module.load()
    with psycopg.connect(conninfo) as conn:
        return {**snapshot(conninfo, s), **leftovers(conninfo, s), **flow.tables(conn)}


def clean_runs(flow: Flow, new_warehouse, data_root: Path) -> dict:
    """The flow's uninterrupted runs (once per session and dataset: they do not depend on the point)."""
    if flow.dataset not in _clean:
        conninfo = new_warehouse()
        flow.runs(data_root / "landing" / flow.dataset, lambda: None)
        _clean[flow.dataset] = end_state(flow, conninfo)
    return _clean[flow.dataset]


@pytest.mark.parametrize("flow, point", CASES)
def test_kill_9_at_a_step_then_a_rerun_ends_exactly_as_clean_runs(
        flow, point, new_warehouse, data_root, airflow_db, monkeypatch, tmp_path):
    clean = clean_runs(flow, new_warehouse, data_root)
    assert clean["claimed"] == 0 and clean["staging_tables"] == 0 and clean["parts"] == [] and clean["archive"]
    if flow is WELLS:
        assert clean["operators"]
    if flow is EVENTS:
        assert [(name, line, event) for name, line, _, event, *_ in clean["events"]] == [
            ("app/a.log", 1, "login"), ("app/a.log", 2, "logout"), ("web/b.csv", 2, "page_view"),
            ("web/b.csv", 3, "page_view")]

    crash_root = tmp_path / "crash"
    monkeypatch.setenv("FILEGATE_DATA_ROOT", str(crash_root))
    conninfo = new_warehouse()
    flow.runs(crash_root / "landing" / flow.dataset, lambda: kill_9_at(flow.dag, point))

    after = end_state(flow, conninfo)
    assert after == clean
    if flow.received is not None:
        assert len([n for n in after["archive"] + after["quarantine"] if not n.endswith(".reason.json")]) \
            == flow.received
