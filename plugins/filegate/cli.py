"""`python -m filegate.cli <command>`: what the Makefile runs.

  run      the main job: embedded stack up, schemas migrated, sample written on a fresh
           environment, every dataset's ingest then reports DAG run through Airflow, summary
  up/down  `airflow standalone` (web UI on :8080) against the same stack / stop all of it
  migrate  create or upgrade the Airflow metadata DB and the warehouse schema
  env      print `export` lines to use the `airflow` CLI against this environment
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import shlex
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from filegate import datasets, embedded, schema, settings
from filegate.landing import candidates
from filegate.warehouse import conninfo_from_env, connect

log = logging.getLogger("filegate")


def say(message: str = "") -> None:
    print(message, flush=True)


def _stack(s: settings.Settings):
    """Start what this environment needs and export the Airflow environment; return the server."""
    external = os.environ.get("AIRFLOW_CONN_WAREHOUSE") and os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    server = None
    if not external:
        server = embedded.start(s)
        say(f"• PostgreSQL (embedded) running, data in {embedded.pgdata(s)}")
    os.environ.update(embedded.airflow_environment(s, server))
    return server


def _airflow(args: list[str], log_name: str, s: settings.Settings, extra_env: dict | None = None) -> int:
    logs = s.state_dir / "logs" / "filegate"
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / f"{log_name}.log"
    env = {**os.environ, **(extra_env or {})}
    with open(log_file, "w") as out:
        rc = subprocess.call([str(Path(sys.executable).with_name("airflow")), *args], stdout=out,
                             stderr=subprocess.STDOUT, env=env)
    if rc != 0:
        say(f"✗ airflow {' '.join(args)} failed (exit {rc}); last lines of {log_file}:")
        say("".join(log_file.read_text(errors="replace").splitlines(keepends=True)[-30:]))
    return rc


def migrate(s: settings.Settings) -> None:
    if _airflow(["db", "migrate"], "airflow-db-migrate", s) != 0:
        raise SystemExit(1)
    say("• Airflow metadata database migrated")
    schema.upgrade(conninfo_from_env())
    say("• warehouse schema at the latest migration")


def run(s: settings.Settings) -> int:
    _stack(s)
    migrate(s)
    conninfo = conninfo_from_env()
    started = datetime.now(timezone.utc)
    _write_sample_if_fresh(s, conninfo)
    today = started.date()
    failed = False
    for name in datasets.names():
        ds = datasets.get(name)
        waiting = candidates(s.landing / name, ds.pattern)
        if not waiting:
            say(f"• {name}: nothing new in {s.landing / name}")
        else:
            say(f"• {name}: {len(waiting)} file(s) in landing, running {name}_ingest ...")
            quick = {"FILEGATE_POKE_INTERVAL": os.environ.get("FILEGATE_POKE_INTERVAL", "5"),
                     "FILEGATE_SENSOR_TIMEOUT": os.environ.get("FILEGATE_SENSOR_TIMEOUT", "120")}
            failed |= _airflow(["dags", "test", f"{name}_ingest"], f"{name}_ingest", s, quick) != 0
        say(f"• {name}: running {name}_reports for {today} ...")
        # a manual run of a data-interval timetable covers the interval BEFORE its date, so say the day
        conf = json.dumps({"date": today.isoformat()})
        failed |= _airflow(["dags", "test", f"{name}_reports", "-c", conf], f"{name}_reports", s) != 0
        _summary(s, conninfo, name, started, today)
    return 1 if failed else 0


def _write_sample_if_fresh(s: settings.Settings, conninfo: str) -> None:
    """The samples go in only when no landing folder holds a file and nothing was ever received,
    so real files are processed as they are and a second run finds nothing new."""
    if s.landing.exists() and any(p.is_file() for p in s.landing.rglob("*")):
        return
    with connect(conninfo) as conn:
        if conn.execute("SELECT count(*) FROM filegate.files").fetchone()[0]:
            return
    from filegate.datasets.raw_data.sample import write_sample as write_raw_data
    from filegate.datasets.smrt.sample import write_sample as write_smrt

    written = write_smrt(s.landing / "smrt")
    say(f"• fresh environment: wrote a sample of {len(written)} SMRT files (some deliberately bad) "
        f"to {s.landing / 'smrt'}")
    # already "settled": written before this run looks, as if delivered a few minutes ago
    settled = datetime.now(timezone.utc) - timedelta(seconds=s.min_file_age + 60)
    rows = write_raw_data(s.landing / "raw_data", created=settled)
    say(f"• fresh environment: wrote a music-store sample ({sum(map(len, rows.values()))} rows in "
        f"{len(rows)} tables, mixed formats, some deliberately bad files) to {s.landing / 'raw_data'}")


def _summary(s: settings.Settings, conninfo: str, name: str, since: datetime, day) -> None:
    from filegate.warehouse import compose

    ds = datasets.get(name)
    with connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT filename, status, reason, rows_read, rows_loaded FROM filegate.files"
            " WHERE dataset = %s AND claimed_at >= %s ORDER BY file_id", (name, since)).fetchall()
        stored = [(t.target, conn.execute(compose("SELECT count(*) FROM {t}", t=t.target)).fetchone()[0])
                  for t in ds.tables]
    loaded = [r for r in rows if r[1] == "loaded"]
    refused = [r for r in rows if r[1] in ("rejected", "duplicate")]
    say()
    say(f"{name}: {len(rows)} file(s) this run: {len(loaded)} loaded, {len(refused)} refused")
    for filename, status, reason, rows_read, rows_loaded in rows:
        detail = f"{rows_loaded} row(s) stored" if status == "loaded" else (reason or "")
        say(f"  {status:<9} {filename:<36} {detail}")
    say(f"  rows upserted this run: {sum(r[4] or 0 for r in loaded)}")
    say("  tables now hold: " + ", ".join(f"{target} {n}" for target, n in stored))
    for report in ds.summary_reports:
        path = s.reports / name / report / f"{day}.csv"
        if path.exists():
            with open(path, newline="") as f:
                answer = list(csv.DictReader(f))
            say(f"  {report}: " + "; ".join(", ".join(f"{k}={v!r}" if "\n" in v else f"{k}={v}" for k, v in row.items())
                                            for row in answer[:3]))
    say(f"  reports:    {s.reports / name}/<report>/{day}.csv")
    docs = s.quality / name / "data_docs" / "index.html"
    say(f"  quality:    {docs if docs.exists() else '(no audit has run yet)'}")
    say(f"  quarantine: {s.quarantine / name}  (each file with a .reason.json)")
    if not rows:
        say("  nothing new was found")
    say()


def up(s: settings.Settings) -> int:
    _stack(s)
    migrate(s)
    pid_file = s.state_dir / "standalone.pid"
    if pid_file.exists() and _alive(int(pid_file.read_text())):
        say(f"• airflow standalone already running (pid {pid_file.read_text().strip()})")
    else:
        log_file = s.state_dir / "logs" / "filegate" / "standalone.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen([str(Path(sys.executable).with_name("airflow")), "standalone"],
                                stdout=open(log_file, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        pid_file.write_text(str(proc.pid))
        say(f"• airflow standalone starting (pid {proc.pid}), log {log_file}")
    port = os.environ.get("AIRFLOW__API__PORT", "8080")
    if not _wait_http(f"http://localhost:{port}/api/v2/monitor/health", 180):
        say("✗ the Airflow API did not answer within 180 s; see the log above")
        return 1
    passwords = Path(os.environ["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    password = json.loads(passwords.read_text()).get("admin") if passwords.exists() else "(see standalone.log)"
    say(f"• Airflow UI: http://localhost:{port}   login: admin / {password}")
    say("  stop everything with: make down")
    return 0


def down(s: settings.Settings) -> int:
    pid_file = s.state_dir / "standalone.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        if _alive(pid):
            os.killpg(pid, signal.SIGTERM)
            for _ in range(60):
                if not _alive(pid):
                    break
                time.sleep(0.5)
            else:
                os.killpg(pid, signal.SIGKILL)
            say(f"• airflow standalone stopped (pid {pid})")
        pid_file.unlink()
    say("• PostgreSQL (embedded) stopped" if embedded.stop(s) else "• PostgreSQL (embedded) was not running")
    return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _wait_http(url: str, seconds: float) -> bool:
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3):
                return True
        except OSError:
            time.sleep(2)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="filegate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "up", "down", "migrate", "env"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    s = settings.load()
    if args.command == "run":
        return run(s)
    if args.command == "up":
        return up(s)
    if args.command == "down":
        return down(s)
    if args.command == "migrate":
        _stack(s)
        migrate(s)
        return 0
    _stack(s)
    for key, value in sorted(embedded.airflow_environment(s, None).items()) + [
            (k, os.environ[k]) for k in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_CONN_WAREHOUSE")]:
        print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
