"""PostgreSQL itself fails under a run: its postmaster SIGKILLed in each step (stage, audit,
publish before and after its commit, between an archive move and its record), or frozen with
SIGSTOP for a minute in the middle of a publish. Once it is back, the next run ends exactly as one
clean run: nothing lost, nothing twice, nothing left claimed or staged."""
from __future__ import annotations

import time

import psycopg
import pytest

from tests.support.campaign import at_fault_point, deliver, end_state
from tests.support.helpers import run_batch


@pytest.mark.parametrize("point", ["stage", "audit", "publish.before_commit", "publish.after_commit", "archive",
                                   "quarantine"])
def test_postmaster_killed_in_a_step_then_the_next_run_ends_as_one_clean_run(
        point, clean, server, settings, monkeypatch, tmp_path):
    conninfo = server.conninfo()
    deliver(settings)
    with at_fault_point(point, server.kill, monkeypatch, tmp_path):
        with pytest.raises(psycopg.OperationalError):   # the step fails: Airflow would retry it
            run_batch("run-1", conninfo, settings)
    server.restart()
    run_batch("run-2", conninfo, settings)
    assert end_state(conninfo, settings) == clean


def test_postmaster_frozen_a_minute_mid_publish_then_the_run_goes_on_and_ends_as_one_clean_run(
        clean, server, settings, monkeypatch, tmp_path):
    conninfo = server.conninfo()
    deliver(settings)
    started = time.monotonic()
    with at_fault_point("publish.before_commit", lambda: server.freeze(60), monkeypatch, tmp_path, pause=1):
        run_batch("run-1", conninfo, settings)   # waits for the server, then finishes
    assert time.monotonic() - started >= 60
    assert end_state(conninfo, settings) == clean
