"""smrt_reports run for real: the day comes from the data interval, or the `date` param."""
from datetime import datetime, timezone

from filegate.datasets.smrt.sample import write_sample
from tests.support.dagrun import run_dag
from tests.support.helpers import run_batch

END = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)


def load_sample(settings, conninfo):
    write_sample(settings.landing / "smrt", end=END)
    run_batch("run1", conninfo, settings)


def written(settings):
    return sorted(p.relative_to(settings.reports).as_posix() for p in settings.reports.rglob("*") if p.is_file())


def test_a_manual_run_with_a_date_writes_that_days_reports(conninfo, settings, airflow_db):
    load_sample(settings, conninfo)
    state, tasks = run_dag("smrt_reports", run_conf={"date": "2026-01-05"})
    assert state == "success" and set(tasks.values()) == {"success"}
    assert written(settings) == [f"smrt/{r}/2026-01-05.csv" for r in ("daily_consumption", "files", "meters", "summary")]
    daily = (settings.reports / "smrt" / "daily_consumption" / "2026-01-05.csv").read_text().splitlines()
    assert daily[0] == "meter_number,date,consumption,hours_reported" and len(daily) > 1


def test_a_dated_run_reports_its_data_interval(conninfo, settings, airflow_db):
    load_sample(settings, conninfo)
    # a run at 2026-01-06 00:00 covers the interval [01-05, 01-06): the day before
    state, _ = run_dag("smrt_reports", logical_date=datetime(2026, 1, 6, tzinfo=timezone.utc))
    assert state == "success"
    assert {p.split("/")[-1] for p in written(settings)} == {"2026-01-05.csv"}
