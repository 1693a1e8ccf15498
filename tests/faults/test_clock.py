"""Clocks and zones: a file whose mtime lies in the future (a sender's clock ahead), and filegate
and its PostgreSQL run in another time zone than UTC; the reports still cover UTC days."""
from __future__ import annotations

import os
import time
from datetime import datetime, timezone

from filegate.ingest import landing
from tests.support.campaign import Server, deliver, end_state
from tests.support.helpers import run_batch


def test_a_file_with_an_mtime_in_the_future_settles_and_loads(clean, conninfo, settings, monkeypatch):
    """It counted as being written until that day: `now - mtime` stayed below the minimum age."""
    from filegate import settings as settings_module

    monkeypatch.setenv("FILEGATE_MIN_FILE_AGE", "1")
    s = settings_module.load()
    deliver(s)
    ahead = s.landing / "smrt" / "PN000101.SMRT"
    tomorrow = time.time() + 86_400
    os.utime(ahead, (tomorrow, tomorrow))
    assert landing.settled([ahead], 1) == []   # just touched: its change time is now
    time.sleep(1.5)
    assert landing.settled([ahead], 1) == [ahead]
    run_batch("run-1", conninfo, s)

    state, expected = end_state(conninfo, s), dict(clean)
    for kept in (state, expected):   # its received time is when it landed here, not tomorrow: the reports
        kept.pop("reports")          # of the days it was received on differ from the clean run's
    assert state == expected
    import psycopg

    with psycopg.connect(conninfo) as conn:
        received = conn.execute("SELECT received_at FROM filegate.files WHERE filename = 'PN000101.SMRT'").fetchone()[0]
    assert abs((received - datetime.now(timezone.utc)).total_seconds()) < 60


def test_another_time_zone_for_filegate_and_its_postgresql_changes_no_report(clean, settings, tmp_path, monkeypatch):
    """TZ is set for this process and for a PostgreSQL initialised under it (initdb writes the zone
    into postgresql.conf): +14 hours, so every UTC day straddles two local ones."""
    import psycopg

    with monkeypatch.context() as zone:
        zone.setenv("TZ", "Pacific/Kiritimati")
        zone.setenv("PGTZ", "Pacific/Kiritimati")   # and what libpq asks the server for
        time.tzset()
        server = Server(tmp_path / "server")
        try:
            with psycopg.connect(server.conninfo()) as conn:   # without filegate's defaults: the zone is there
                assert conn.execute("SHOW timezone").fetchone()[0] == "Pacific/Kiritimati"
            deliver(settings)
            run_batch("run-1", server.conninfo(), settings)
            state = end_state(server.conninfo(), settings)
            assert {k: v for k, v in state["reports"].items() if v != clean["reports"][k]} == {}
            assert state == clean
        finally:
            server.stop()
    time.tzset()
