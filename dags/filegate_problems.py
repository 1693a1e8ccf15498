"""
### filegate: datasets left out

Fails to import when a dataset's package is broken or its settings are refused, so Airflow lists
each such dataset with its problem among its DAG import errors; every other dataset's DAGs
(`filegate_datasets.py`) are built as usual. Imports cleanly, and defines no DAG, when all is well.
"""
from filegate.dags import raise_problems

raise_problems()
