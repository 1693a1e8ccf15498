"""Nothing, now: it dropped the lineage foreign keys (`file_id` -> filegate.files) of the smrt and
raw_data tables, which their own branches (smrt_0001, raw_data_0001) now create without them, or
drop from a warehouse built before. Kept so that the chain stays.

Publish JOINs staging to the registry, so every file_id exists by construction; the per-row
foreign-key check was half of publish time at 2,000,000 rows.

Revision ID: 0003
Revises: 0002
"""
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
