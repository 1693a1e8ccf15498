"""Supervising Airflow's processes for the CLI: one-off `airflow` commands with their output in a
log file, and `airflow standalone` in the background (started, found, stopped)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from filegate.settings import Settings


def say(message: str = "") -> None:
    print(message, flush=True)


def airflow_command() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def airflow(args: list[str], log_name: str, s: Settings, extra_env: dict | None = None) -> int:
    """Run `airflow <args>` to completion, its output in logs/filegate/<log_name>.log; on failure
    show the log's last lines."""
    logs = s.state_dir / "logs" / "filegate"
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / f"{log_name}.log"
    env = {**os.environ, **(extra_env or {})}
    with open(log_file, "w") as out:
        rc = subprocess.call([airflow_command(), *args], stdout=out, stderr=subprocess.STDOUT, env=env)
    if rc != 0:
        say(f"✗ airflow {' '.join(args)} failed (exit {rc}); last lines of {log_file}:")
        say("".join(log_file.read_text(errors="replace").splitlines(keepends=True)[-30:]))
    return rc


def _pid_file(s: Settings) -> Path:
    return s.state_dir / "standalone.pid"


def start_standalone(s: Settings) -> None:
    pid_file = _pid_file(s)
    if pid_file.exists() and alive(int(pid_file.read_text())):
        say(f"• airflow standalone already running (pid {pid_file.read_text().strip()})")
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
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


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
