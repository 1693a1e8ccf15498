"""toy.items (a dataset package's own migration: an Alembic branch on top of the core).

Revision ID: toy_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "toy_0001"
down_revision = None
branch_labels = ("toy",)
depends_on = "0004"   # the core (hstore)


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS toy")
    op.create_table(
        "items",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("shop", sa.Text(), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=True),
        sa.Column("price", sa.Numeric(), nullable=True),
        sa.Column("weight_kg", sa.Double(), nullable=True),
        sa.Column("paid", sa.Boolean(), nullable=True),
        sa.Column("tags", postgresql.HSTORE(), nullable=True),
        sa.Column("raw", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("file_id", sa.BigInteger(), nullable=False, comment="the file this row came from (filegate.files)"),
        sa.Column("line", sa.Integer(), nullable=False, comment="the line of the file where the record starts"),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        schema="toy",
        comment="Toy shop sales",
    )
    op.create_index(op.f("ix_items_file_id"), "items", ["file_id"], schema="toy")


def downgrade() -> None:
    op.drop_table("items", schema="toy")
    op.execute("DROP SCHEMA IF EXISTS toy")
