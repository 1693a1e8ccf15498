"""filegate as an Airflow plugin: makes the library visible in Admin > Plugins.

The library itself is imported by the DAGs (plugins/ is on Airflow's sys.path).
"""
from airflow.plugins_manager import AirflowPlugin


class FilegatePlugin(AirflowPlugin):
    name = "filegate"
