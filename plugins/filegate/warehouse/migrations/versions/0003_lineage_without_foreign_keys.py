"""Lineage columns (`file_id`) are indexed but no longer foreign keys to filegate.files.

Publish JOINs staging to the registry, so every file_id exists by construction; the per-row
foreign-key check was half of publish time at 2,000,000 rows. See filegate/models.py.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LINEAGE = [("smrt", "readings")] + [("raw_data", t) for t in (
    "albums", "artists", "customers", "employees", "genres", "invoice_items", "invoices", "media_types",
    "playlist_track", "playlists", "tracks", "undeclared_records")]


def upgrade() -> None:
    for schema, table in LINEAGE:
        op.drop_constraint(f"fk_{table}_file_id_files", table, schema=schema, type_="foreignkey")


def downgrade() -> None:
    for schema, table in LINEAGE:
        op.create_foreign_key(f"fk_{table}_file_id_files", table, "files", ["file_id"], ["file_id"],
                              source_schema=schema, referent_schema="filegate")
