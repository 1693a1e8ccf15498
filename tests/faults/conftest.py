"""The fault campaign's fixtures (tests/campaign.py says what the campaign is): the end state of
one clean run, and a PostgreSQL server of the test's own."""
from __future__ import annotations

import pytest

from tests.support.campaign import Server, _clean, deliver, end_state
from tests.support.helpers import run_batch


@pytest.fixture
def clean(new_warehouse, tmp_path, monkeypatch) -> dict:
    """The end state of one uninterrupted run of the sample (made once per session)."""
    from filegate import settings as settings_module

    if not _clean:
        root = tmp_path / "clean"
        monkeypatch.setenv("FILEGATE_DATA_ROOT", str(root))
        conninfo = new_warehouse()
        s = settings_module.load()
        deliver(s)
        run_batch("clean", conninfo, s)
        _clean.update(end_state(conninfo, s))
        assert _clean["claimed"] == 0 and _clean["staging_tables"] == 0 and _clean["archive"] and _clean["quarantine"]
    return _clean


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "server")
    try:
        yield s
    finally:
        s.stop()


