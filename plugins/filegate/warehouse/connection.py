"""The warehouse connection: one place that turns Airflow's `warehouse` connection into a
psycopg conninfo string and a SQLAlchemy URL, and composes SQL with quoted identifiers.

Library functions take a plain conninfo string; only DAG tasks ask Airflow for it, so the
library runs (and is tested) without an Airflow context.
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # psycopg is imported where a connection is opened (DAG files parse without it)
    from psycopg import Connection
    from psycopg.abc import Params
    from psycopg.sql import Composed

CONN_ID = "warehouse"


def conninfo_from_airflow(conn_id: str = CONN_ID) -> str:
    """Resolve the connection through Airflow (env var, secrets backend or metadata DB)."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    return conninfo_of(PostgresHook.get_connection(conn_id))


def conninfo_from_env(conn_id: str = CONN_ID) -> str:
    """Resolve AIRFLOW_CONN_<ID> (JSON or URI form) with Airflow's own parser, outside a task."""
    from airflow.sdk import Connection

    var = f"AIRFLOW_CONN_{conn_id.upper()}"
    raw = os.environ.get(var)
    if not raw:
        raise RuntimeError(f"{var} is not set: run through `make run`/`make up`, or export it")
    parse = Connection.from_json if raw.lstrip().startswith("{") else Connection.from_uri
    return conninfo_of(parse(raw, conn_id=conn_id))


def conninfo_of(connection: Any) -> str:
    """A libpq conninfo from an Airflow Connection, its extras included (`sslmode`, `options`,
    `application_name`, ...): those libpq knows reach psycopg and SQLAlchemy unchanged; Airflow's
    own extras (`cursor`, `iam`, ...) are not libpq's and are left out."""
    extras = {k: v for k, v in connection.extra_dejson.items() if k in _libpq_keywords()}
    return with_defaults(make_conninfo(host=connection.host, port=connection.port, user=connection.login,
                                       password=connection.password, dbname=connection.schema, **extras))


CONNECT_TIMEOUT_S = 10


def with_defaults(conninfo: str) -> str:
    """`conninfo` with what every filegate session needs unless it says otherwise: a bounded
    connect (a server that never answers fails in CONNECT_TIMEOUT_S seconds, with one line, instead
    of hanging a run), and UTC as the session's time zone (a report's day is a UTC day, and the
    timestamps it writes are UTC, whatever zone the server or the client machine is set to)."""
    from psycopg.conninfo import conninfo_to_dict

    fields = conninfo_to_dict(conninfo)
    fields.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    options = str(fields.get("options") or "")
    if "timezone" not in options.lower():
        fields["options"] = f"{options} -c TimeZone=UTC".strip()
    return make_conninfo(**fields)


@lru_cache(maxsize=1)
def _libpq_keywords() -> frozenset[str]:
    from psycopg import pq

    return frozenset(o.keyword.decode() for o in pq.Conninfo.get_defaults())


def make_conninfo(**fields: Any) -> str:
    from psycopg.conninfo import make_conninfo as _make

    return _make(**{k: str(v) for k, v in fields.items() if v not in (None, "")})


def sqlalchemy_url(conninfo: str) -> str:
    """A `postgresql+psycopg://` URL for SQLAlchemy users (Alembic, Great Expectations).

    A Unix-socket host, and every other libpq parameter (`sslmode`, `options`, ...), goes in the
    query string, which psycopg receives as is; that is why GE's `add_sql` is used, not `add_postgres`.
    """
    from psycopg.conninfo import conninfo_to_dict
    from sqlalchemy.engine import URL

    d = {k: str(v) for k, v in conninfo_to_dict(with_defaults(conninfo)).items() if v is not None}
    host = d.get("host")
    socket = bool(host and host.startswith("/"))
    query = {"host": host} if socket and host else {}
    if socket and d.get("port"):
        query["port"] = d["port"]
    query.update({k: v for k, v in d.items() if k not in ("host", "port", "user", "password", "dbname")})
    port = None if socket or not d.get("port") else int(d["port"])
    url = URL.create("postgresql+psycopg", username=d.get("user"), password=d.get("password"),
                     host=None if socket else host, port=port, database=d.get("dbname"), query=query)
    return url.render_as_string(hide_password=False)


def connect(conninfo: str, **kwargs: Any) -> Connection[Any]:
    import psycopg

    return psycopg.connect(with_defaults(conninfo), **kwargs)


def value(conn: Connection[Any], query: str | Composed, params: Params | None = None) -> Any:
    """The one value of a statement that returns one row (a count, an aggregate, RETURNING)."""
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise LookupError(f"expected one row, got none: {query!r}")
    return row[0]


def quoted(name: str) -> str:
    """A quoted identifier as plain text ("schema.table" or a bare name), for SQL handed over as a
    string (Great Expectations queries), where psycopg's composition cannot be used."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def compose(text: str, **identifiers: str) -> Composed:
    """Fill `{name}` placeholders with quoted identifiers ("schema.table" or a bare name).

    Identifiers never reach SQL unquoted; values go as %(name)s parameters.
    """
    from psycopg import sql

    idents = {k: sql.Identifier(*v.split(".")) for k, v in identifiers.items()}
    return sql.SQL(text).format(**idents)
