"""smrt.meters and smrt.readings, the smrt dataset's own branch on top of the core.

Until this branch the core chain created them (0001, reshaped in 0003 and 0004). A warehouse from
then already holds them: they are adopted as they are, rows and all, and brought to the shape a
new warehouse gets (no foreign keys, lineage comments), whatever core revision built them.

Revision ID: smrt_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "smrt_0001"
down_revision = None
branch_labels = ("smrt",)
depends_on = "0007"

FILE_ID = "the file this row came from (filegate.files)"
LINE = "the line of the file where the record starts"


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("readings", schema="smrt"):
        _adopt()
        return
    op.execute("CREATE SCHEMA IF NOT EXISTS smrt")
    op.create_table(
        "meters",
        sa.Column("meter_number", sa.Text(), nullable=False),
        sa.Column("first_file_id", sa.BigInteger(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("meter_number", name=op.f("pk_meters")),
        schema="smrt",
        comment="Meters seen in SMRT files (canonical 11-digit numbers)",
    )
    op.create_table(
        "readings",
        sa.Column("meter_number", sa.Text(), nullable=False),
        sa.Column("reading_start_utc", sa.DateTime(timezone=True), nullable=False,
                  comment="start of the hour measured"),
        sa.Column("consumption", sa.Numeric(), nullable=False),
        sa.Column("file_id", sa.BigInteger(), nullable=False, comment=FILE_ID),
        sa.Column("line", sa.Integer(), nullable=False, comment=LINE),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("meter_number", "reading_start_utc", name=op.f("pk_readings")),
        schema="smrt",
        comment="Hourly consumption; the latest file to report an hour wins",
    )
    op.create_index(op.f("ix_readings_file_id"), "readings", ["file_id"], schema="smrt")


def _adopt() -> None:
    # what 0003 and 0004 did to these tables, for a warehouse built before them
    for table, constraint in (("readings", "fk_readings_file_id_files"), ("readings", "fk_readings_meter_number_meters"),
                              ("meters", "fk_meters_first_file_id_files")):
        op.execute(f"ALTER TABLE smrt.{table} DROP CONSTRAINT IF EXISTS {constraint}")
    op.alter_column("readings", "file_id", existing_type=sa.BigInteger(), comment=FILE_ID, schema="smrt")
    op.alter_column("readings", "line", existing_type=sa.Integer(), comment=LINE, schema="smrt")


def downgrade() -> None:
    op.drop_table("readings", schema="smrt")
    op.drop_table("meters", schema="smrt")
