"""The dataset kit's conventions, applied to the tables that predate it.

- `hstore` is available to declared tables (`CREATE EXTENSION hstore`).
- The registry's `batch_id` is `run_id`: it always held the Airflow run id.

It also gave the smrt and raw_data tables lineage comments and dropped smrt's foreign keys; their
own branches (smrt_0001, raw_data_0001) do that now.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS hstore")
    op.alter_column("files", "batch_id", new_column_name="run_id", schema="filegate")


def downgrade() -> None:
    op.alter_column("files", "run_id", new_column_name="batch_id", schema="filegate")
