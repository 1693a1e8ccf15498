"""What every daily output shares: the UTC day it covers and the atomic replacement of its file."""
from datetime import date, datetime, timezone

import pytest

from filegate.outputs.daily import day_interval, replacing


def test_a_day_is_the_half_open_utc_interval_from_its_midnight():
    assert day_interval(date(2026, 3, 29)) == (datetime(2026, 3, 29, tzinfo=timezone.utc),
                                               datetime(2026, 3, 30, tzinfo=timezone.utc))


def test_a_file_is_replaced_whole_or_left_as_it_was(tmp_path):
    out = tmp_path / "report" / "2026-03-29.csv"
    with replacing(out) as tmp:
        tmp.write_text("old\n")
    assert out.read_text() == "old\n"
    with pytest.raises(RuntimeError), replacing(out) as tmp:
        tmp.write_text("half of the new")
        raise RuntimeError("the query failed")
    assert out.read_text() == "old\n" and list(out.parent.iterdir()) == [out]   # no temp file left
