"""The warehouse connection: Airflow's connection, extras included, to psycopg and SQLAlchemy."""
import json

from psycopg.conninfo import conninfo_to_dict

from filegate.warehouse.connection import compose, conninfo_from_env, quoted, sqlalchemy_url


def test_uri_extras_reach_psycopg_and_sqlalchemy_unchanged(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "postgres://u:p%40ss@db.example:6543/wh"
                       "?sslmode=require&options=-c%20search_path%3Dwh&application_name=filegate&cursor=dictcursor")
    info = conninfo_to_dict(conninfo_from_env())
    assert info == {"host": "db.example", "port": "6543", "user": "u", "password": "p@ss", "dbname": "wh",
                    "sslmode": "require", "options": "-c search_path=wh -c TimeZone=UTC", "application_name": "filegate",
                    "connect_timeout": "10"}   # and filegate's defaults (with_defaults)
    url = sqlalchemy_url(conninfo_from_env())
    assert url.startswith("postgresql+psycopg://u:p%40ss@db.example:6543/wh?")
    from sqlalchemy.engine import make_url

    assert dict(make_url(url).query) == {"sslmode": "require", "options": "-c search_path=wh -c TimeZone=UTC",
                                         "application_name": "filegate", "connect_timeout": "10"}
    # Airflow's `cursor` is not libpq's


def test_json_connections_and_their_extras(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({
        "conn_type": "postgres", "host": "/tmp/pg", "port": 5432, "login": "postgres", "schema": "warehouse",
        "extra": {"sslmode": "disable", "connect_timeout": 5}}))
    assert conninfo_to_dict(conninfo_from_env()) == {"host": "/tmp/pg", "port": "5432", "user": "postgres",
                                                      "dbname": "warehouse", "sslmode": "disable", "connect_timeout": "5",
                                                      "options": "-c TimeZone=UTC"}
    assert sqlalchemy_url(conninfo_from_env()) == ("postgresql+psycopg://postgres@/warehouse?connect_timeout=5"
                                                   "&host=%2Ftmp%2Fpg&options=-c+TimeZone%3DUTC&port=5432&sslmode=disable")


def test_issue25_a_session_is_utc_and_its_connect_bounded_unless_the_connection_says_otherwise():
    from filegate.warehouse.connection import with_defaults

    assert conninfo_to_dict(with_defaults("host=h dbname=d")) == {
        "host": "h", "dbname": "d", "connect_timeout": "10", "options": "-c TimeZone=UTC"}
    kept = conninfo_to_dict(with_defaults("host=h connect_timeout=3 options='-c timezone=Europe/Paris'"))
    assert kept["connect_timeout"] == "3" and kept["options"] == "-c timezone=Europe/Paris"
    assert conninfo_to_dict(with_defaults(with_defaults("host=h"))) == conninfo_to_dict(with_defaults("host=h"))


def test_identifiers_are_always_quoted():
    assert quoted('raw_data.we"ird') == '"raw_data"."we""ird"'
    assert compose("SELECT * FROM {t}", t="s.x; DROP TABLE y").as_string(None) == 'SELECT * FROM "s"."x; DROP TABLE y"'
