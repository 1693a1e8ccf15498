"""DAG builders: every dataset gets the same `<dataset>_ingest` and `<dataset>_reports` DAGs.

Parsing stays fast: only airflow.sdk and the standard provider are imported here; the library's
heavy parts (GE, psycopg COPY, ISA-L) are imported inside the task callables.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

from filegate import datasets, settings

START = pendulum.datetime(2026, 1, 1, tz="UTC")


def default_args(s: settings.Settings) -> dict:
    return {"owner": "filegate", "retries": 2, "retry_delay": timedelta(seconds=s.retry_delay)}


def _dataset_of(dag_id: str, suffix: str) -> str:
    if not dag_id.endswith(suffix):
        raise ValueError(f"DAG id {dag_id!r} must end with {suffix!r}")
    return dag_id[: -len(suffix)]


def asset_for(dataset: str) -> Asset:
    return Asset(f"filegate://{dataset}", group="filegate")


def ingest_dag(dag_id: str, doc_md: str | None = None):
    """`<dataset>_ingest`: wait -> claim -> convert (mapped per file) -> stage -> audit -> publish."""
    from filegate.sensors import LandingSensor

    name = _dataset_of(dag_id, "_ingest")
    ds = datasets.get(name)
    s = settings.load()

    @dag(dag_id=dag_id, description=ds.description, doc_md=doc_md, schedule="@daily", start_date=START,
         catchup=False, max_active_runs=1, default_args=default_args(s), tags=["filegate", "ingest", *ds.tags])
    def ingest():
        wait = LandingSensor(
            task_id="wait_for_files", fs_conn_id="filegate_fs",
            landing_dir=str(s.landing / name), pattern=ds.pattern, min_file_age=s.min_file_age,
            mode="reschedule", poke_interval=s.poke_interval, timeout=s.sensor_timeout,
            soft_fail=True,  # nothing arrived: the run is skipped, not failed
        )

        @task
        def claim(run_id=None):
            from filegate import pipeline, warehouse
            from airflow.sdk.exceptions import AirflowSkipException

            files = pipeline.claim(name, run_id, warehouse.conninfo_from_airflow())
            if not files:
                raise AirflowSkipException("no new complete files to load")
            return files

        @task(map_index_template="{{ file['filename'] }}")
        def convert(file: dict, run_id=None):
            from filegate import pipeline, warehouse

            return pipeline.convert(name, run_id, file, warehouse.conninfo_from_airflow())

        @task
        def stage(converted: list, run_id=None):
            from filegate import pipeline, warehouse

            return pipeline.stage(name, run_id, list(converted), warehouse.conninfo_from_airflow())

        @task
        def audit(staged: dict, run_id=None):
            from filegate import pipeline, warehouse

            return pipeline.audit(name, run_id, staged, warehouse.conninfo_from_airflow())

        @task(outlets=[asset_for(name)])
        def publish(audited: dict, run_id=None):
            from filegate import pipeline, warehouse
            from airflow.sdk.exceptions import AirflowSkipException

            result = pipeline.publish(name, run_id, audited, warehouse.conninfo_from_airflow())
            if not audited["file_ids"]:   # skipping emits no Asset event: consumers see only real loads
                raise AirflowSkipException("no file passed the audit: nothing published")
            return result

        files = claim()
        wait >> files
        publish(audit(stage(convert.expand(file=files))))

    return ingest()


def report_day(params: dict, data_interval_start, run_after) -> date:
    """The day a report run covers: the `date` param (manual runs), else the data interval's
    day, else the day before the run (a manual run without a logical date)."""
    if params.get("date"):
        return date.fromisoformat(params["date"])
    if data_interval_start is not None:
        return data_interval_start.astimezone(timezone.utc).date()
    return ((run_after or datetime.now(timezone.utc)).astimezone(timezone.utc) - timedelta(days=1)).date()


def reports_dag(dag_id: str, doc_md: str | None = None):
    """`<dataset>_reports`: one CSV per report SQL for the run's UTC day, written atomically."""
    name = _dataset_of(dag_id, "_reports")
    ds = datasets.get(name)
    s = settings.load()

    @dag(dag_id=dag_id, description=f"Daily report CSVs for {name}", doc_md=doc_md,
         schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"), start_date=START, catchup=False,
         max_active_runs=4, default_args=default_args(s), tags=["filegate", "reports", *ds.tags],
         params={"date": Param(None, type=["null", "string"], format="date",
                               description="Report day (YYYY-MM-DD) for a manual run; empty: the run's interval")})
    def reports():
        @task(map_index_template="{{ report }}")
        def write(report: str, params=None, data_interval_start=None, dag_run=None):
            from filegate import reports as reports_lib, warehouse

            day = report_day(params or {}, data_interval_start, getattr(dag_run, "run_after", None))
            path = reports_lib.write_report(warehouse.conninfo_from_airflow(), name, report, day,
                                            settings.load().reports)
            return str(path)

        write.expand(report=list(ds.reports))

    return reports()
