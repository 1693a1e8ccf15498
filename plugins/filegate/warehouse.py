"""The warehouse connection: one place that turns Airflow's `warehouse` connection into a
psycopg conninfo string and a SQLAlchemy URL, and loads SQL files from include/sql/.

Library functions take a plain conninfo string; only DAG tasks ask Airflow for it, so the
library runs (and is tested) without an Airflow context.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from filegate.settings import SQL_DIR

CONN_ID = "warehouse"


def conninfo_from_airflow(conn_id: str = CONN_ID) -> str:
    """Resolve the connection through Airflow (env var, secrets backend or metadata DB)."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    c = PostgresHook.get_connection(conn_id)
    return make_conninfo(host=c.host, port=c.port, user=c.login, password=c.password, dbname=c.schema)


def conninfo_from_env(conn_id: str = CONN_ID) -> str:
    """Resolve AIRFLOW_CONN_<ID> (JSON or URI form) without importing Airflow."""
    var = f"AIRFLOW_CONN_{conn_id.upper()}"
    raw = os.environ.get(var)
    if not raw:
        raise RuntimeError(f"{var} is not set: run through `make run`/`make up`, or export it")
    if raw.lstrip().startswith("{"):
        c = json.loads(raw)
        return make_conninfo(host=c.get("host"), port=c.get("port"), user=c.get("login"),
                             password=c.get("password"), dbname=c.get("schema"))
    url = urlsplit(raw)
    return make_conninfo(host=unquote(url.hostname or "") or None, port=url.port,
                         user=unquote(url.username or "") or None,
                         password=unquote(url.password or "") or None,
                         dbname=url.path.lstrip("/") or None)


def make_conninfo(**fields) -> str:
    from psycopg.conninfo import make_conninfo as _make

    return _make(**{k: str(v) for k, v in fields.items() if v not in (None, "")})


def sqlalchemy_url(conninfo: str) -> str:
    """A `postgresql+psycopg://` URL for SQLAlchemy users (Alembic, Great Expectations).

    A Unix-socket host goes in the query string, which is why GE's `add_sql` is used, not
    `add_postgres`.
    """
    from psycopg.conninfo import conninfo_to_dict
    from sqlalchemy.engine import URL

    d = conninfo_to_dict(conninfo)
    host = d.get("host")
    socket = host and host.startswith("/")
    query = {"host": host} if socket else {}
    if socket and d.get("port"):
        query["port"] = str(d["port"])
    url = URL.create("postgresql+psycopg", username=d.get("user"), password=d.get("password"),
                     host=None if socket else host, port=None if socket else d.get("port"),
                     database=d.get("dbname"), query=query)
    return url.render_as_string(hide_password=False)


def connect(conninfo: str, **kwargs):
    import psycopg

    return psycopg.connect(conninfo, **kwargs)


def sql_file(relative: str) -> str:
    path = SQL_DIR / relative
    try:
        return path.read_text()
    except FileNotFoundError:
        raise FileNotFoundError(f"SQL file {path} is missing") from None


def sql_files(folder: str) -> list[Path]:
    """The .sql files of a folder under include/sql/, in name order (their run order)."""
    return sorted((SQL_DIR / folder).glob("*.sql"))


def quoted(name: str) -> str:
    """A quoted identifier as plain text ("schema.table" or a bare name), for SQL handed over as a
    string (Great Expectations queries), where psycopg's composition cannot be used."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def compose(text: str, **identifiers):
    """Fill `{name}` placeholders with quoted identifiers ("schema.table" or a bare name).

    Identifiers never reach SQL unquoted; values go as %(name)s parameters.
    """
    from psycopg import sql

    idents = {k: sql.Identifier(*v.split(".")) for k, v in identifiers.items()}
    return sql.SQL(text).format(**idents)
