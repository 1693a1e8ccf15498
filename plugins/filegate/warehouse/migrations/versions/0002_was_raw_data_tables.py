"""Nothing, now: it created the raw_data tables until they became the raw_data dataset's own
branch (raw_data_0001). Kept so that the chain, and every warehouse's recorded revision, stays.

Revision ID: 0002
Revises: 0001
"""
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
