"""
### smrt_reports

Daily report CSVs for the SMRT dataset (Airflow DAG): `reports/smrt/<report>/<YYYY-MM-DD>.csv`
for the run's UTC day — summary, meters, files, daily_consumption. Re-run a day (or backfill a
range with `airflow backfill create`) to rewrite exactly those days; a manual run takes a `date`.
"""
from pathlib import Path

from filegate.dags import reports_dag

dag = reports_dag(Path(__file__).stem, __doc__)
