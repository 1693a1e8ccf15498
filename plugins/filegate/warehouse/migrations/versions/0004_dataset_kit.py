"""The dataset kit's conventions, applied to the tables that predate it.

- `hstore` is available to declared tables (`CREATE EXTENSION hstore`).
- The registry's `batch_id` is `run_id`: it always held the Airflow run id.
- Lineage columns carry the same comments everywhere.
- smrt.meters is a derived table, kept by the publish transaction from the readings it publishes,
  after them: its foreign keys (readings -> meters, meters -> files) go, as lineage's did in 0003.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LINEAGE = [("smrt", "readings")] + [("raw_data", t) for t in (
    "albums", "artists", "customers", "employees", "genres", "invoice_items", "invoices", "media_types",
    "playlist_track", "playlists", "tracks", "undeclared_records")]
FILE_ID = "the file this row came from (filegate.files)"
LINE = "the line of the file where the record starts"


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS hstore")
    op.alter_column("files", "batch_id", new_column_name="run_id", schema="filegate")
    op.drop_constraint("fk_readings_meter_number_meters", "readings", schema="smrt", type_="foreignkey")
    op.drop_constraint("fk_meters_first_file_id_files", "meters", schema="smrt", type_="foreignkey")
    for schema, table in LINEAGE:
        op.alter_column(table, "file_id", existing_type=sa.BigInteger(), comment=FILE_ID, schema=schema)
        op.alter_column(table, "line", existing_type=sa.Integer(), comment=LINE, schema=schema)


def downgrade() -> None:
    for schema, table in LINEAGE:
        op.alter_column(table, "file_id", existing_type=sa.BigInteger(), comment=None, schema=schema)
        op.alter_column(table, "line", existing_type=sa.Integer(), schema=schema,
                        comment="line of the CONSU record in that file" if table == "readings" else None)
    op.create_foreign_key("fk_meters_first_file_id_files", "meters", "files", ["first_file_id"], ["file_id"],
                          source_schema="smrt", referent_schema="filegate")
    op.create_foreign_key("fk_readings_meter_number_meters", "readings", "meters", ["meter_number"],
                          ["meter_number"], source_schema="smrt", referent_schema="smrt")
    op.alter_column("files", "run_id", new_column_name="batch_id", schema="filegate")
