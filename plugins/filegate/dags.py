"""DAG builders: every discovered dataset gets the same `<dataset>_ingest` and `<dataset>_reports`
DAGs (`dags/filegate_datasets.py` asks for them all), documented by the dataset's package docstring.

Parsing stays fast: only airflow.sdk, the dataset declarations and the steps' contracts
(dataclasses) are imported here; the
library's heavy parts (GE, psycopg COPY, ISA-L) are imported inside the task callables.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pendulum
from airflow.sdk import DAG, Asset, AssetOrTimeSchedule, CronDataIntervalTimetable, Param, dag, task

from filegate import datasets, settings
from filegate.ingest import contracts
from filegate.kit.declaration import Dataset

contracts.allow_in_xcom()   # the steps hand each other its dataclasses: every process parsing DAGs reads them

START = pendulum.datetime(2026, 1, 1, tz="UTC")


def default_args(s: settings.Settings) -> dict:
    return {"owner": "filegate", "retries": 2, "retry_delay": timedelta(seconds=s.retry_delay)}


def build_all() -> dict[str, DAG]:
    """{dag_id: DAG} for every discovered dataset whose settings hold. A dataset that is broken
    (its package, its settings) is left out here and named by `raise_problems`, so it breaks
    only itself."""
    dags = {}
    for ds in datasets.discovered():
        try:
            datasets.check_dataset_settings(ds)
        except settings.SettingsError:
            continue   # dags/filegate_problems.py names it among Airflow's import errors
        dags[ds.ingest_dag_id] = ingest_dag(ds)
        dags[ds.reports_dag_id] = reports_dag(ds)
    return dags


class DatasetProblems(Exception):
    """The datasets whose DAGs could not be built, one line each."""


def problems() -> list[str]:
    """What keeps each left-out dataset's DAGs out: its package's fault or its refused settings."""
    found = list(datasets.broken().values())
    for ds in datasets.discovered():
        try:
            datasets.check_dataset_settings(ds)
        except settings.SettingsError as e:
            found.append(f"dataset {ds.name}: {e}")
    return found


def raise_problems() -> None:
    """Raise DatasetProblems if any dataset is left out, so Airflow shows it as an import error."""
    if found := problems():
        raise DatasetProblems("these datasets have no DAGs until fixed:\n" + "\n".join(found))


def asset_for(dataset: str) -> Asset:
    return Asset(f"filegate://{dataset}", group="filegate")


def ingest_dag(ds: Dataset) -> DAG:
    """`<dataset>_ingest`: wait -> claim -> convert (mapped over groups of files) -> stage -> audit
    -> publish, on the dataset's schedule (`@continuous`: a new run waits for files as soon as one ends)."""
    from filegate.sensors import LandingSensor

    name = ds.name
    s = settings.load()
    how = settings.ingest_settings(name)
    per_task = how.files_per_task or ds.files_per_task

    @dag(dag_id=ds.ingest_dag_id, description=ds.description, doc_md=ds.doc or None,
         schedule=how.schedule or ds.schedule,
         start_date=START, catchup=False, max_active_runs=1, default_args=default_args(s),
         tags=["filegate", "ingest", *ds.tags],
         params={"wait_for_files": Param(False, type="boolean", title="Wait for files",
                                         description="A run triggered by hand with nothing in landing is "
                                                     "skipped at once; tick this to wait for files as a "
                                                     "scheduled run does (up to FILEGATE_SENSOR_TIMEOUT).")})
    def ingest():
        wait = LandingSensor(
            task_id="wait_for_files",
            landing_dir=str(s.landing / name), pattern=ds.pattern, min_file_age=s.min_file_age,
            poke_interval=s.poke_interval, timeout=s.sensor_timeout,
            soft_fail=True,  # nothing arrived: the run is skipped, not failed
        )

        @task
        def claim(seen: list, run_id=None, ti=None):
            from airflow.sdk.configuration import conf
            from airflow.sdk.exceptions import AirflowSkipException

            from filegate.ingest import pipeline
            from filegate.ops import tasklog
            from filegate.warehouse import connection

            def live(other: str) -> bool:   # a file another run still going holds claimed is its
                try:
                    return ti.get_dagrun_state(ds.ingest_dag_id, other) in ("queued", "running")
                except Exception:   # a run Airflow does not know (a test's, a bench's): not going
                    return False

            with tasklog.kept():
                files = pipeline.claim(name, run_id, connection.conninfo_from_airflow(), seen=list(seen), live=live)
            if not files:
                raise AirflowSkipException("no new complete files to load")
            most = min(s.max_convert_tasks, conf.getint("core", "max_map_length"))
            return pipeline.groups(files, per_task, most)   # one group per convert task

        @task(map_index_template="{{ files[0].filename }}"
                                 "{% if files | length > 1 %} (+{{ files | length - 1 }}){% endif %}")
        def convert(files: list, run_id=None):
            from filegate.ingest import pipeline
            from filegate.ops import tasklog
            from filegate.warehouse import connection

            conninfo = connection.conninfo_from_airflow()
            with tasklog.kept():
                return [pipeline.convert(name, run_id, file, conninfo) for file in files]

        @task
        def stage(converted: list, run_id=None):
            from filegate.ingest import pipeline
            from filegate.ops import tasklog
            from filegate.warehouse import connection

            done = [result for group in converted for result in group]
            with tasklog.kept():
                return pipeline.stage(name, run_id, done, connection.conninfo_from_airflow())

        @task
        def audit(staged: contracts.Staged, run_id=None):
            from filegate.ingest import pipeline
            from filegate.ops import tasklog
            from filegate.warehouse import connection

            with tasklog.kept():
                return pipeline.audit(name, run_id, staged, connection.conninfo_from_airflow())

        @task(outlets=[asset_for(name)])
        def publish(audited: contracts.Audited, run_id=None):
            from airflow.sdk.exceptions import AirflowSkipException

            from filegate.ingest import pipeline
            from filegate.ops import tasklog
            from filegate.warehouse import connection

            with tasklog.kept():
                result = pipeline.publish(name, run_id, audited, connection.conninfo_from_airflow())
            if not result.file_ids:   # skipping emits no Asset event: consumers see only real loads
                raise AirflowSkipException("no file passed the audit and publish: nothing published")
            return result

        groups = claim(wait.output)
        publish(audit(stage(convert.expand(files=groups))))

    return ingest()


def report_day(params: dict, data_interval_start: datetime | None, run_after: datetime | None,
               run_type: str | None = None) -> date:
    """The day a report run covers: the `date` param (manual runs); for a run the dataset's
    Asset triggered (a publish), the day it runs, so today's reports take in what just loaded;
    else the data interval's day; else the day before the run (a manual run without a date)."""
    if params.get("date"):
        return date.fromisoformat(params["date"])
    if run_type == "asset_triggered":
        return (run_after or datetime.now(timezone.utc)).astimezone(timezone.utc).date()
    if data_interval_start is not None:
        return data_interval_start.astimezone(timezone.utc).date()
    return ((run_after or datetime.now(timezone.utc)).astimezone(timezone.utc) - timedelta(days=1)).date()


def reports_dag(ds: Dataset) -> DAG:
    """`<dataset>_reports`: one CSV per report SQL (and one NDJSON gzip per export) for the run's UTC
    day, written atomically."""
    name = ds.name
    s = settings.load()
    exports = [e.name for e in ds.exports]
    doc = (f"### {name}_reports\n\nDaily report CSVs for {name}, `reports/{name}/<report>/<YYYY-MM-DD>.csv` for "
           f"the run's UTC day: {', '.join(ds.reports) or 'none yet'}"
           + (f"; and the NDJSON gzip exports `reports/{name}/<export>/<YYYY-MM-DD>.json.gz`: {', '.join(exports)}"
              if exports else "") + ". Re-run a day (or backfill a range with "
           "`airflow backfill create`) to rewrite exactly those days; a manual run takes a `date`. Each publish of "
           f"`{name}_ingest` (the Asset `filegate://{name}`) also runs it, for the day it runs.")

    @dag(dag_id=ds.reports_dag_id, description=f"Daily report CSVs for {name}", doc_md=doc,
         # daily, and after every publish of the dataset (its Asset), so new data reaches the reports
         schedule=AssetOrTimeSchedule(timetable=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
                                      assets=asset_for(name)),
         start_date=START, catchup=False,
         max_active_runs=4, default_args=default_args(s), tags=["filegate", "reports", *ds.tags],
         params={"date": Param(None, type=["null", "string"], format="date",
                               description="Report day (YYYY-MM-DD) for a manual run; empty: the run's interval")})
    def reports():
        @task(map_index_template="{{ report }}")
        def write(report: str, params=None, data_interval_start=None, dag_run=None):
            from filegate.ops import tasklog
            from filegate.outputs import reports as reports_lib
            from filegate.warehouse import connection

            run_type = getattr(dag_run, "run_type", None)   # an enum: str() of it is its name, not its value
            day = report_day(params or {}, data_interval_start, getattr(dag_run, "run_after", None),
                             getattr(run_type, "value", run_type))
            with tasklog.kept():
                path = reports_lib.write(connection.conninfo_from_airflow(), name, report, day, settings.load().reports)
            return str(path)

        write.expand(report=[*ds.reports, *exports])

    return reports()
