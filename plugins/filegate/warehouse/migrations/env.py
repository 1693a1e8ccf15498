"""Alembic environment: runs migrations online against the URL filegate.warehouse.migrate hands over."""
from alembic import context
from sqlalchemy import create_engine, text

from filegate.warehouse.migrate import metadata

config = context.config
engine = create_engine(config.attributes["url"])

with engine.connect() as connection:
    # the version table lives in our own schema, so a warehouse shared with Airflow's metadata
    # (which has its own alembic_version) never mixes the two
    connection.execute(text("CREATE SCHEMA IF NOT EXISTS filegate"))
    # two processes migrating at once take turns
    connection.execute(text("SELECT pg_advisory_lock(hashtext('filegate:migrate'))"))
    target = metadata()
    # every dataset's tables live in a schema named after it: have each one before its tables
    for schema in sorted({t.schema for t in target.tables.values() if t.schema}):
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    connection.commit()
    context.configure(connection=connection, target_metadata=target,
                      version_table_schema="filegate", include_schemas=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.execute(text("SELECT pg_advisory_unlock(hashtext('filegate:migrate'))"))
    connection.commit()
engine.dispose()
