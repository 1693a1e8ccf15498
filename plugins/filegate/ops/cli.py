"""`python -m filegate.ops.cli <command>`: what the Makefile runs.

  run      the main job: embedded stack up, schemas migrated, samples written on a fresh
           environment, every dataset's ingest then reports DAG run through Airflow, summary
  up/down  `airflow standalone` (web UI on :8080) against the same stack / stop all of it
  cluster  distributed mode on loopback: PostgreSQL on TCP, Redis, api-server, scheduler,
           dag-processor, triggerer and FILEGATE_WORKERS Celery workers (docs/cluster.md)
  cluster-down  stop all of it, by PID
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

from filegate import datasets, settings
from filegate.ingest.landing import scan
from filegate.kit.errors import connection_errors
from filegate.ops import cluster, embedded, samples, summary
from filegate.ops.processes import (
    airflow,
    exclusive,
    log_path,
    readable,
    say,
    show_failure_of,
    standalone_pid,
    start_standalone,
    stop_standalone,
    wait_http,
)
from filegate.warehouse import migrate
from filegate.warehouse.connection import connect, conninfo_from_env


class Stop(Exception):
    """An expected operational failure: said in one line, with what to do; exit status 1."""


def migrate_databases(s: settings.Settings) -> None:
    if airflow(["db", "migrate"], "airflow-db-migrate", s) != 0:
        raise Stop(f"the Airflow metadata database could not be migrated (log above: "
                   f"{log_path(s, 'airflow-db-migrate')})")
    say("• Airflow metadata database migrated")
    conninfo = conninfo_from_env()
    try:
        migrate.upgrade(conninfo)
    except Exception as e:
        said = warehouse_refusal(e, conninfo)
        if said is None:
            raise
        raise said from None   # the line says it all
    say("• warehouse schema at the latest migration")


def warehouse_refusal(error: Exception, conninfo: str) -> Stop | None:
    """One line for a warehouse that cannot be reached or may not be changed, naming it (never
    its password) and what to do; None for anything else."""
    import psycopg
    import sqlalchemy.exc
    from psycopg.conninfo import conninfo_to_dict

    cause = getattr(error, "orig", None) or error
    info = conninfo_to_dict(conninfo)
    where = f"{info.get('host') or 'localhost'}:{info.get('port') or 5432}/{info.get('dbname')}"
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    if isinstance(cause, psycopg.errors.InsufficientPrivilege):
        user, db = info.get("user") or "(your user)", info.get("dbname")
        return Stop(f"the warehouse role {user!r} may not create what filegate needs in {where} ({first}): "
                    f"`GRANT CREATE ON DATABASE \"{db}\" TO \"{user}\"`, or run `make migrate` once as the database's "
                    "owner; nothing was changed")
    if isinstance(cause, (psycopg.OperationalError, sqlalchemy.exc.OperationalError)):
        return Stop(f"the warehouse at {where} does not answer ({first}): check AIRFLOW_CONN_WAREHOUSE and that its "
                    "server is up; nothing was changed")
    return None


def _prepare(s: settings.Settings) -> None:
    """The environment's server started, and this process (and what it starts) pointed at it."""
    server = embedded.prepare(s)
    os.environ.update(embedded.airflow_environment(s, server))
    if server is not None:
        say(f"• PostgreSQL (embedded) running, data in {embedded.pgdata(s)}")


def set_up(s: settings.Settings, what: str) -> None:
    """Server, databases and migrations, one environment's set-up at a time."""
    with exclusive(s, what):
        _prepare(s)
        migrate_databases(s)
        _end_interrupted_runs()


def run(s: settings.Settings) -> int:
    with exclusive(s, "make run"):   # two runs at once would claim the same files
        _prepare(s)
        migrate_databases(s)
        _end_interrupted_runs()
        return _run(s)


def _end_interrupted_runs() -> None:
    """Under the environment's lock no `make run` is alive: its runs still running were interrupted."""
    from filegate.ops.interrupted import fail_interrupted_runs

    ended = fail_interrupted_runs()
    if ended:
        say(f"• marked failed in Airflow {len(ended)} run(s) an interrupted `make run` left running "
            f"({', '.join(ended[:3])}{', …' if len(ended) > 3 else ''}); their files are claimed again now")


def _run(s: settings.Settings) -> int:
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
            failed |= not _dag(f"{name}_ingest", s, conninfo, extra=quick)
        say(f"• {name}: running {name}_reports for {today} ...")
        # a manual run of a data-interval timetable covers the interval BEFORE its date, so say the day
        failed |= not _dag(f"{name}_reports", s, conninfo, conf=json.dumps({"date": today.isoformat()}))
        summary.show(s, conninfo, name, started, today)
    return 1 if failed else 0


def _dag(dag_id: str, s: settings.Settings, conninfo: str, conf: str | None = None,
         extra: dict | None = None) -> bool:
    """Run a DAG, True when it succeeded: with `airflow dags test`, or by this environment's
    scheduler when one runs and would drive the run too (`filegate.ops.handoff`). A run that failed
    because PostgreSQL went away (`make down` meanwhile) stops `make run` with one line."""
    from filegate.ops import handoff

    args = ["dags", "test", dag_id, *(["-c", conf] if conf else [])]
    logs, what = [log_path(s, dag_id)], None
    if handoff.applies(s, dag_id):
        succeeded, failed_logs = handoff.run(s, dag_id, conf)
        logs, what = failed_logs or logs, f"{dag_id} (run by the scheduler)"
    else:
        succeeded = airflow(args, dag_id, s, extra, show_failure=False) == 0
    if succeeded:
        return True
    if not _answers(conninfo):
        raise Stop(f"PostgreSQL stopped answering while {dag_id} ran (was `make down` run meanwhile?). Nothing "
                   f"is half-loaded: `make run` again finishes the work. Log: {logs[0]}")
    said = next(filter(None, map(machine_error, logs)), None)
    if said:   # the machine's fault, which the task said in a line of its own: say just that
        say(f"✗ {dag_id}: {said}\n  (log: {logs[0]})")
    else:
        show_failure_of(args, logs[0], what=what)
    return False


def machine_error(log_file: Path) -> str | None:
    """The last `MachineError` a DAG run's log holds (filegate.kit.errors: a folder that cannot be
    written, a full disk), or None."""
    import re

    if not log_file.is_file():
        return None
    found = re.findall(r"(?:filegate\.errors\.)?MachineError: (.+)", readable(log_file))
    return found[-1].strip() if found else None


def _answers(conninfo: str) -> bool:
    import psycopg

    try:
        with connect(conninfo, connect_timeout=5):
            return True
    except psycopg.OperationalError:
        return False


def up(s: settings.Settings) -> int:
    if cluster.running(s):
        raise Stop("the cluster of this environment is running (`make cluster`): `make cluster-down` first")
    set_up(s, "make up")
    start_standalone(s)
    base = os.environ["AIRFLOW__API__BASE_URL"]
    if not wait_http(f"{base}/api/v2/monitor/health", 180):
        say("✗ the Airflow API did not answer within 180 s; see the log above")
        return 1
    passwords = Path(os.environ["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    password = json.loads(passwords.read_text()).get("admin") if passwords.exists() else "(see standalone.log)"
    say(f"• Airflow UI: {base}   login: admin / {password}")
    say(f"  filegate's page (files, refusals, reports, quality docs): {base}/plugin/filegate")
    say("  stop everything with: make down")
    return 0


def down(s: settings.Settings) -> int:
    stop_standalone(s)
    if cluster.running(s):
        return cluster_down(s)   # PostgreSQL with it
    say("• PostgreSQL (embedded) stopped" if embedded.stop(s) else "• PostgreSQL (embedded) was not running")
    return 0


def cluster_up(s: settings.Settings) -> int:
    if standalone_pid(s) is not None:
        raise Stop("`make up` (airflow standalone) is running on this environment: `make down` first")
    c = settings.load(cluster.ClusterSettings)
    try:
        with exclusive(s, "make cluster"):
            role_files = cluster.up(s, c)
    except cluster.ClusterError as e:
        raise Stop(f"{e}\n  `make cluster-down` stops what did start") from None
    base = embedded.api_addresses()['AIRFLOW__API__BASE_URL']
    say(f"• Airflow UI: {base}   login: admin / {cluster.login(s)}")
    say(f"  filegate's page (files, refusals, reports, quality docs): {base}/plugin/filegate")
    say(f"  what each part needs on a machine of its own: {role_files}/<role>.env "
        "(docs/cluster.md)")
    say("  stop everything with: make cluster-down")
    return 0


def cluster_down(s: settings.Settings) -> int:
    stopped = cluster.down(s)
    say(f"• cluster stopped: {', '.join(stopped)}" if stopped else "• the cluster was not running")
    return 0


def env(s: settings.Settings) -> int:
    with exclusive(s, "make env"):
        server = embedded.prepare(s)
        os.environ.update(embedded.airflow_environment(s, server))
    for line in embedded.export_lines(s, server):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="filegate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "up", "down", "cluster", "cluster-down", "migrate", "env",
                                            "migration"])
    parser.add_argument("message", nargs="?", help="what a new migration does (with `migration`)")
    parser.add_argument("--dataset", help="put the new migration in this dataset's package (with `migration`)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for chatty in ("alembic", "filegate"):   # Airflow's logging set-up lets their INFO lines through
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        s = settings.load()
        datasets.check_settings()   # every dataset's own settings too, before anything starts
    except (settings.SettingsError, datasets.DatasetError) as e:
        say(f"✗ {e}")
        return 2
    if args.command == "migration" and not args.message:
        parser.error("migration needs a MESSAGE saying what it does")
    try:
        return {"run": run, "up": up, "down": down, "cluster": cluster_up, "cluster-down": cluster_down, "env": env,
                "migrate": migrate_command, "migration": lambda s: migration(s, args.message, args.dataset)}[args.command](s)
    except (Stop, settings.SettingsError) as e:
        say(f"✗ {e}")
    except connection_errors() as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        say(f"✗ PostgreSQL: {first}. Was `make down` run meanwhile? Start again with the same command "
            "(`make run` finishes what an interrupted run left).")
    except KeyboardInterrupt:
        say("✗ interrupted: nothing is half-loaded; the same command again finishes the work")
        return 130
    return 1


def migrate_command(s: settings.Settings) -> int:
    set_up(s, "make migrate")
    return 0


def migration(s: settings.Settings, message: str, dataset: str | None) -> int:
    set_up(s, "make migration")
    written = migrate.revision(conninfo_from_env(), message, dataset)
    for script in written if isinstance(written, list) else [written]:
        say(f"• wrote {script.path}: review it, then `make migrate`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
