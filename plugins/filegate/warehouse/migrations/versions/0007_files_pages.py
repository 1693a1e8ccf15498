"""The UI pages through the registry newest first, filtered by status: two indexes make a page
an index scan, not a sort of every file of the dataset.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_files_dataset_status_id", "files", ["dataset", "status", "file_id"], schema="filegate")
    op.create_index("ix_files_dataset_id", "files", ["dataset", "file_id"], schema="filegate")


def downgrade() -> None:
    op.drop_index("ix_files_dataset_id", table_name="files", schema="filegate")
    op.drop_index("ix_files_dataset_status_id", table_name="files", schema="filegate")
