"""The file registry (and the staging schema).

It created the SMRT tables too until they became the smrt dataset's own branch (smrt_0001).

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS filegate")
    op.execute("CREATE SCHEMA IF NOT EXISTS staging")
    op.create_table(
        "files",
        sa.Column("file_id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False, comment="path relative to landing/<dataset>/"),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False,
                  comment="when the file landed (its mtime when claimed)"),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("header", postgresql.JSONB(astext_type=sa.Text()), nullable=True,
                  comment="dataset-specific header fields"),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True,
                  comment="why it was refused: failed checks, sample rows"),
        sa.Column("sort_key", sa.Text(), nullable=True, comment="publish order within a batch"),
        sa.Column("rows_read", sa.BigInteger(), nullable=True),
        sa.Column("rows_loaded", sa.BigInteger(), nullable=True),
        sa.Column("batch_id", sa.Text(), nullable=False, comment="the Airflow run that handled the file"),
        sa.Column("stored_path", sa.Text(), nullable=True, comment="where the raw file is now"),
        sa.Column("reloadable", sa.Boolean(), server_default="false", nullable=False,
                  comment="re-delivery under the same name upserts"),
        sa.Column("claimed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('claimed', 'loaded', 'rejected', 'duplicate')", name=op.f("ck_files_status")),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_files")),
        schema="filegate",
        comment="Every file seen in a landing folder and what became of it",
    )
    op.create_index("ix_files_dataset_filename", "files", ["dataset", "filename"], schema="filegate")
    op.create_index("uq_files_loaded_name", "files", ["dataset", "filename"], unique=True, schema="filegate",
                    postgresql_where="status = 'loaded' AND NOT reloadable")


def downgrade() -> None:
    op.drop_table("files", schema="filegate")
