"""The schema is defined once (ORM models) and created by migrations: the two must agree."""
import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from filegate import schema
from filegate.warehouse import sqlalchemy_url


def test_migrations_build_exactly_the_models(conninfo):
    metadata = schema.metadata()
    ours = {t.schema for t in metadata.tables.values()}
    assert {"filegate", "smrt", "raw_data"} <= ours
    engine = create_engine(sqlalchemy_url(conninfo))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_schemas": True, "compare_type": True, "version_table_schema": "filegate",
            "include_name": lambda name, kind, parent: kind != "schema" or name in ours,
        })
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_upgrading_again_is_a_no_op(conninfo):
    from alembic.script import ScriptDirectory

    schema.upgrade(conninfo)
    head = ScriptDirectory.from_config(schema.alembic_config(conninfo)).get_current_head()
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT version_num FROM filegate.alembic_version").fetchall() == [(head,)]


def test_socket_hosts_go_in_the_query_string():
    url = sqlalchemy_url("host=/tmp/fg/pg port=5432 user=postgres dbname=warehouse")
    assert url == "postgresql+psycopg://postgres@/warehouse?host=%2Ftmp%2Ffg%2Fpg&port=5432"
    assert sqlalchemy_url("host=db.example port=6543 user=u password=p dbname=w") == \
        "postgresql+psycopg://u:p@db.example:6543/w"
