"""The registry looks files up by content: the same bytes under another name are a duplicate.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_files_dataset_sha256", "files", ["dataset", "sha256"], schema="filegate")


def downgrade() -> None:
    op.drop_index("ix_files_dataset_sha256", table_name="files", schema="filegate")
