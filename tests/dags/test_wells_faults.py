"""wells under kill -9: `airflow dags test wells_ingest` killed with SIGKILL at a step, then run
again, ends exactly as one clean run: the registry, the folders, the loaded tables and the
derived ones (well_production and operators, kept in the publish transaction), nothing left
claimed or staged."""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg
import pytest

from filegate.datasets.wells.sample import sample_files, write_sample
from tests.support.dagrun import kill_9_at, run_dag
from tests.support.helpers import leftovers, snapshot

CREATED = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)
_clean: dict = {}


def end_state(conninfo, settings) -> dict:
    state = {**snapshot(conninfo, settings), **leftovers(conninfo, settings)}
    with psycopg.connect(conninfo) as conn:
        for table, lineage in (("wells", True), ("production", True), ("well_production", False), ("operators", False)):
            joined = ", f.filename, t.line FROM wells.{0} t JOIN filegate.files f USING (file_id)" if lineage \
                else " FROM wells.{0} t"
            columns = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'wells' AND table_name = %s"
                " AND column_name NOT IN ('file_id', 'line', 'loaded_at') ORDER BY ordinal_position", (table,))]
            state[table] = conn.execute("SELECT " + ", ".join(f"t.{c}" for c in columns) + joined.format(table)
                                        + " ORDER BY 1, 2, 3").fetchall()
    return state


@pytest.mark.parametrize("point", ["convert", "stage", "publish.before_commit", "publish.after_commit", "archive"])
def test_kill_9_at_a_step_then_a_rerun_ends_exactly_as_one_clean_run(
        point, new_warehouse, data_root, airflow_db, monkeypatch, tmp_path):
    from filegate import settings as settings_module

    if not _clean:   # once per session: it does not depend on the step
        conninfo = new_warehouse()
        write_sample(data_root / "landing" / "wells", created=CREATED)
        assert run_dag("wells_ingest")[0] == "success"
        _clean.update(end_state(conninfo, settings_module.load()))
    assert _clean["claimed"] == 0 and _clean["staging_tables"] == 0 and _clean["operators"]

    crash_root = tmp_path / "crash"
    monkeypatch.setenv("FILEGATE_DATA_ROOT", str(crash_root))
    conninfo = new_warehouse()
    write_sample(crash_root / "landing" / "wells", created=CREATED)
    kill_9_at("wells_ingest", point)

    assert run_dag("wells_ingest")[0] == "success"
    after = end_state(conninfo, settings_module.load())
    assert after == _clean
    assert len([n for n in after["archive"] + after["quarantine"] if not n.endswith(".reason.json")]) \
        == len(sample_files())
