"""`python -m filegate.cli <command>`: what the Makefile runs.

  run      the main job: embedded stack up, schemas migrated, samples written on a fresh
           environment, every dataset's ingest then reports DAG run through Airflow, summary
  up/down  `airflow standalone` (web UI on :8080) against the same stack / stop all of it
  migrate  create or upgrade the Airflow metadata DB and the warehouse schema
  env      print `export` lines to use the `airflow` CLI against this environment
  migration MESSAGE [--dataset NAME]
           autogenerate a warehouse migration from the declarations (into the dataset's package
           with --dataset), to review before committing
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from filegate import datasets, embedded, samples, schema, settings, summary
from filegate.landing import scan
from filegate.processes import airflow, say, start_standalone, stop_standalone, wait_http
from filegate.warehouse import conninfo_from_env


def migrate(s: settings.Settings) -> None:
    if airflow(["db", "migrate"], "airflow-db-migrate", s) != 0:
        raise SystemExit(1)
    say("• Airflow metadata database migrated")
    schema.upgrade(conninfo_from_env())
    say("• warehouse schema at the latest migration")


def _prepare(s: settings.Settings) -> None:
    if embedded.prepare(s) is not None:
        say(f"• PostgreSQL (embedded) running, data in {embedded.pgdata(s)}")


def run(s: settings.Settings) -> int:
    _prepare(s)
    migrate(s)
    conninfo = conninfo_from_env()
    started = datetime.now(timezone.utc)
    samples.write_if_fresh(s, conninfo)
    today = started.date()
    failed = False
    for ds in datasets.discovered():
        name = ds.name
        arrivals = scan(s.landing / name, ds.pattern)
        waiting = arrivals.regular + arrivals.strangers
        if not waiting:
            say(f"• {name}: nothing new in {s.landing / name}")
        else:
            say(f"• {name}: {len(waiting)} file(s) in landing, running {name}_ingest ...")
            quick = {"FILEGATE_POKE_INTERVAL": os.environ.get("FILEGATE_POKE_INTERVAL", "5"),
                     "FILEGATE_SENSOR_TIMEOUT": os.environ.get("FILEGATE_SENSOR_TIMEOUT", "120")}
            failed |= airflow(["dags", "test", f"{name}_ingest"], f"{name}_ingest", s, quick) != 0
        say(f"• {name}: running {name}_reports for {today} ...")
        # a manual run of a data-interval timetable covers the interval BEFORE its date, so say the day
        conf = json.dumps({"date": today.isoformat()})
        failed |= airflow(["dags", "test", f"{name}_reports", "-c", conf], f"{name}_reports", s) != 0
        summary.show(s, conninfo, name, started, today)
    return 1 if failed else 0


def up(s: settings.Settings) -> int:
    _prepare(s)
    migrate(s)
    start_standalone(s)
    base = os.environ["AIRFLOW__API__BASE_URL"]
    if not wait_http(f"{base}/api/v2/monitor/health", 180):
        say("✗ the Airflow API did not answer within 180 s; see the log above")
        return 1
    passwords = Path(os.environ["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    password = json.loads(passwords.read_text()).get("admin") if passwords.exists() else "(see standalone.log)"
    say(f"• Airflow UI: {base}   login: admin / {password}")
    say("  stop everything with: make down")
    return 0


def down(s: settings.Settings) -> int:
    stop_standalone(s)
    say("• PostgreSQL (embedded) stopped" if embedded.stop(s) else "• PostgreSQL (embedded) was not running")
    return 0


def env(s: settings.Settings) -> int:
    server = embedded.prepare(s)
    for line in embedded.export_lines(s, server):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="filegate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "up", "down", "migrate", "env", "migration"])
    parser.add_argument("message", nargs="?", help="what a new migration does (with `migration`)")
    parser.add_argument("--dataset", help="put the new migration in this dataset's package (with `migration`)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        s = settings.load()
        datasets.check_settings()   # every dataset's own settings too, before anything starts
    except settings.SettingsError as e:
        say(f"✗ {e}")
        return 2
    if args.command in ("migrate", "migration"):
        _prepare(s)
        migrate(s)
        if args.command == "migration":
            if not args.message:
                parser.error("migration needs a MESSAGE saying what it does")
            written = schema.revision(conninfo_from_env(), args.message, args.dataset)
            for script in written if isinstance(written, list) else [written]:
                say(f"• wrote {script.path}: review it, then `make migrate`")
        return 0
    return {"run": run, "up": up, "down": down, "env": env}[args.command](s)


if __name__ == "__main__":
    sys.exit(main())
