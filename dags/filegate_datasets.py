"""
### filegate datasets (Airflow DAGs)

An `<dataset>_ingest` and a `<dataset>_reports` DAG for every dataset filegate discovers
(`plugins/filegate/datasets/<name>/`): adding a dataset adds its DAGs, with no file here.
Each DAG's documentation is its dataset's.
"""
from filegate.dags import build_all

globals().update(build_all())
