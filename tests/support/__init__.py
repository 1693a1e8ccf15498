"""What many tests share: running the steps and DAGs as Airflow does (`helpers`, `dagrun`), the
fault campaign (`campaign`), a fresh process's peak RSS (`memory`) and raw_data's known answers."""
