"""The day a report run covers, whatever started the run."""
from datetime import date, datetime, timezone

import pytest


@pytest.mark.parametrize("params, interval_start, run_after, run_type, day", [
    ({"date": "2026-03-01"}, None, datetime(2026, 3, 5, 8, tzinfo=timezone.utc), "manual", date(2026, 3, 1)),
    ({}, datetime(2026, 3, 4, tzinfo=timezone.utc), datetime(2026, 3, 5, tzinfo=timezone.utc), "scheduled",
     date(2026, 3, 4)),   # the daily run at midnight covers the day before
    ({}, datetime(2026, 3, 4, tzinfo=timezone.utc), datetime(2026, 3, 5, 8, tzinfo=timezone.utc), "asset_triggered",
     date(2026, 3, 5)),   # after a publish: today's reports take in what just loaded
    ({}, None, datetime(2026, 3, 5, 8, tzinfo=timezone.utc), "manual", date(2026, 3, 4)),
])
def test_report_day(params, interval_start, run_after, run_type, day):
    from filegate.dags import report_day

    assert report_day(params, interval_start, run_after, run_type) == day
