"""The registry knows when a run last decided about a file (`handled_at`), so a run's summary
counts the files it re-claimed after a crash, and claims a dead run left behind show as stale.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("files", sa.Column("handled_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                                     nullable=False, comment="the last time a run claimed, refused or loaded it"),
                  schema="filegate")
    op.execute("UPDATE filegate.files SET handled_at = coalesce(loaded_at, claimed_at)")


def downgrade() -> None:
    op.drop_column("files", "handled_at", schema="filegate")
