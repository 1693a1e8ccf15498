"""Supervising Airflow's processes for the CLI: one-off `airflow` commands with their output in a
log file, and `airflow standalone` in the background (started, found, stopped)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filegate.settings import Settings


def say(message: str = "") -> None:
    print(message, flush=True)


def airflow_command() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def log_path(s: Settings, log_name: str) -> Path:
    return s.state_dir / "logs" / "filegate" / f"{log_name}.log"


def airflow(args: list[str], log_name: str, s: Settings, extra_env: dict | None = None,
            show_failure: bool = True) -> int:
    """Run `airflow <args>` to completion, its output in logs/filegate/<log_name>.log; on failure
    show the log's last lines (unless the caller explains the failure itself)."""
    log_file = log_path(s, log_name)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **(extra_env or {})}
    with open(log_file, "w") as out:
        rc = subprocess.call([airflow_command(), *args], stdout=out, stderr=subprocess.STDOUT, env=env)
    if rc != 0 and show_failure:
        show_failure_of(args, log_file, rc)
    return rc


def show_failure_of(args: list[str], log_file: Path, rc: int | None = None, what: str | None = None) -> None:
    """Say that `airflow <args>` (or `what`) failed, with the last lines of its log."""
    status = f" (exit {rc})" if rc is not None else ""
    say(f"✗ {what or 'airflow ' + ' '.join(args)} failed{status}; last lines of {log_file}:")
    say("\n".join(readable(log_file).splitlines()[-30:]))


def readable(log_file: Path) -> str:
    """A log's text; a task log Airflow wrote as JSON lines, as `time level message` lines with
    each error as `Type: message`. A missing log reads as a line saying so."""
    import json

    if not log_file.is_file():
        return f"(no log at {log_file})"
    lines = []
    for line in log_file.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict) or "event" not in record:
            lines.append(line)
            continue
        lines.append(f"{record.get('timestamp', '')} [{record.get('level', '')}] {record['event']}")
        for error in record.get("error_detail") or []:
            lines.append(f"{error.get('exc_type')}: {error.get('exc_value')}")
    return "\n".join(lines)


@contextmanager
def exclusive(s: Settings, what: str) -> Iterator[None]:
    """Hold the state folder's lock: one set-up (server start, database creation, migrations) or
    one `make run` at a time per environment; a second waits for the first, saying so."""
    import fcntl

    s.state_dir.mkdir(parents=True, exist_ok=True)
    with open(s.state_dir / "filegate.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            for _ in range(20):   # the holder writes its name just after it takes the lock
                lock.seek(0)
                holder = lock.read().strip()
                if holder:
                    break
                time.sleep(0.05)
            holder = holder or "another filegate command"
            say(f"• waiting for {holder} to finish with {s.state_dir} ...")
            fcntl.flock(lock, fcntl.LOCK_EX)
        lock.truncate(0)
        lock.write(f"`{what}` (pid {os.getpid()})")
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)   # the lock itself goes with the file descriptor


def _pid_file(s: Settings) -> Path:
    return s.state_dir / "standalone.pid"


def standalone_pid(s: Settings) -> int | None:
    """The pid of this environment's `make up` (airflow standalone) while it runs, else None."""
    pid_file = _pid_file(s)
    pid = int(pid_file.read_text() or 0) if pid_file.exists() else 0
    return pid if pid and alive(pid) else None


def start_standalone(s: Settings) -> None:
    pid_file = _pid_file(s)
    if (running := standalone_pid(s)) is not None:
        say(f"• airflow standalone already running (pid {running})")
        return
    log_file = s.state_dir / "logs" / "filegate" / "standalone.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([airflow_command(), "standalone"], stdout=open(log_file, "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    pid_file.write_text(str(proc.pid))
    say(f"• airflow standalone starting (pid {proc.pid}), log {log_file}")


def stop_standalone(s: Settings) -> None:
    pid_file = _pid_file(s)
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    if alive(pid):
        os.killpg(pid, signal.SIGTERM)
        for _ in range(60):
            if not alive(pid):
                break
            time.sleep(0.5)
        else:
            os.killpg(pid, signal.SIGKILL)
        say(f"• airflow standalone stopped (pid {pid})")
    pid_file.unlink()


def alive(pid: int) -> bool:
    """The process runs (a zombie, dead but not yet reaped by its parent, does not)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def free_port(span: int = 1) -> int:
    """A free loopback port p, with p + 1 .. p + span - 1 free too (several workers' log servers)."""
    import socket

    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            for extra in range(1, span):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + extra))
            return port
        except OSError:
            continue


def wait_http(url: str, seconds: float) -> bool:
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3):
                return True
        except OSError:
            time.sleep(2)
    return False
