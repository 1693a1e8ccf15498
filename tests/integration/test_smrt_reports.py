"""Report SQL for one UTC day, written atomically; the expected rows are worked out here by hand."""
import csv
import os
from datetime import date, datetime, timezone

import psycopg

from filegate.outputs.reports import write_report
from tests.support.helpers import drop, run_batch, smrt_text

DAY = date(2026, 1, 5)


def load_two_days(conninfo, settings):
    landing = settings.landing / "smrt"
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [
        ("1234567890", "20260104", "2300", "1.0"),    # the day before
        ("1234567890", "20260105", "0000", "2.0"),
        ("1234567890", "20260105", "0100", "3.5"),
        ("0000000002", "20260105", "0500", "4.0"),
        ("0000000002", "20260106", "0000", "8.0"),    # the day after
    ]))
    drop(landing, "PN000002.SMRT", "not an SMRT file\n")
    for path in landing.iterdir():   # both received on DAY
        stamp = datetime(2026, 1, 5, 9, tzinfo=timezone.utc).timestamp()
        os.utime(path, (stamp, stamp))
    run_batch("run1", conninfo, settings)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_reports_cover_the_day_they_are_run_for(conninfo, settings):
    load_two_days(conninfo, settings)
    out = {r: write_report(conninfo, "smrt", r, DAY, settings.reports)
           for r in ("summary", "meters", "files", "daily_consumption")}
    assert out["summary"] == settings.reports / "smrt" / "summary" / "2026-01-05.csv"

    assert rows(out["daily_consumption"]) == [
        {"meter_number": "00000000002", "date": "2026-01-05", "consumption": "4.0", "hours_reported": "1"},
        {"meter_number": "01234567890", "date": "2026-01-05", "consumption": "5.5", "hours_reported": "2"},
    ]
    (summary,) = rows(out["summary"])
    assert {k: summary[k] for k in ("meters", "readings", "files_received", "files_loaded", "files_rejected",
                                    "last_file_received")} == {
        "meters": "2", "readings": "3", "files_received": "2", "files_loaded": "1", "files_rejected": "1",
        "last_file_received": "PN000002.SMRT"}
    meters = rows(out["meters"])   # cumulative up to the end of the day: the 6th is not counted
    assert [(m["meter_number"], m["readings"], m["total_consumption"]) for m in meters] == [
        ("00000000002", "1", "4.0"), ("01234567890", "3", "6.5")]
    files = rows(out["files"])
    assert [(f["filename"], f["status"], f["rows"], f["generation_number"]) for f in files] == [
        ("PN000001.SMRT", "loaded", "5", "PN000001"), ("PN000002.SMRT", "rejected", "", "")]
    assert "line 1" in files[1]["reason"]


def test_rerunning_a_day_rewrites_exactly_that_days_file(conninfo, settings):
    load_two_days(conninfo, settings)
    first = write_report(conninfo, "smrt", "daily_consumption", DAY, settings.reports)
    other = write_report(conninfo, "smrt", "daily_consumption", date(2026, 1, 6), settings.reports)
    other_before = other.read_bytes()
    with psycopg.connect(conninfo) as conn:
        conn.execute("UPDATE smrt.readings SET consumption = consumption * 10"
                     " WHERE reading_start_utc < '2026-01-06'")
    again = write_report(conninfo, "smrt", "daily_consumption", DAY, settings.reports)
    assert again == first and "40.0" in again.read_text()
    assert other.read_bytes() == other_before
    assert sorted(p.name for p in first.parent.iterdir()) == ["2026-01-05.csv", "2026-01-06.csv"]  # no temp files
