"""housing.sales (the housing dataset's own migration: an Alembic branch on top of the core;
generated with `make migration MESSAGE="housing.sales" DATASET=housing`, then reviewed).

Revision ID: housing_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = 'housing_0001'
down_revision = None
branch_labels = ('housing',)
depends_on = '0006'


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS housing")
    op.create_table('sales',
    sa.Column('attom_id', sa.BigInteger(), autoincrement=False, nullable=False, comment='ATTOM property id'),
    sa.Column('sale_date', sa.Date(), autoincrement=False, nullable=False, comment='sale.saleTransDate'),
    sa.Column('sale_amount', sa.Numeric(), autoincrement=False, nullable=True, comment='sale.amount.saleamt'),
    sa.Column('sale_recorded_date', sa.Date(), autoincrement=False, nullable=True, comment='sale.amount.salerecdate'),
    sa.Column('sale_transaction_type', sa.Text(), autoincrement=False, nullable=True, comment='sale.amount.saletranstype'),
    sa.Column('price_per_sqft', sa.Numeric(), autoincrement=False, nullable=True, comment='sale.calculation.pricepersizeunit'),
    sa.Column('postal_code', sa.Text(), autoincrement=False, nullable=True, comment='address.postal1'),
    sa.Column('locality', sa.Text(), autoincrement=False, nullable=True, comment='address.locality'),
    sa.Column('latitude', sa.Numeric(), autoincrement=False, nullable=True, comment='location.latitude (a string in the API)'),
    sa.Column('longitude', sa.Numeric(), autoincrement=False, nullable=True, comment='location.longitude (a string in the API)'),
    sa.Column('property_type', sa.Text(), autoincrement=False, nullable=True, comment='summary.proptype'),
    sa.Column('property_subtype', sa.Text(), autoincrement=False, nullable=True, comment='summary.propsubtype'),
    sa.Column('property_class', sa.Text(), autoincrement=False, nullable=True, comment='summary.propclass'),
    sa.Column('year_built', sa.Integer(), autoincrement=False, nullable=True, comment='summary.yearbuilt'),
    sa.Column('lot_size_acres', sa.Numeric(), autoincrement=False, nullable=True, comment='lot.lotSize1 (acres)'),
    sa.Column('building_size_sqft', sa.Numeric(), autoincrement=False, nullable=True, comment='building.size.universalsize (square feet)'),
    sa.Column('beds', sa.Integer(), autoincrement=False, nullable=True, comment='building.rooms.beds'),
    sa.Column('baths', sa.Numeric(), autoincrement=False, nullable=True, comment='building.rooms.bathstotal'),
    sa.Column('file_id', sa.BigInteger(), nullable=False, comment='the file this row came from (filegate.files)'),
    sa.Column('line', sa.Integer(), nullable=False, comment='the line of the file where the record starts'),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('attom_id', 'sale_date', name=op.f('pk_sales')),
    schema='housing',
    comment="Property sales, one per (attom_id, sale_date), flattened from the sales API's responses"
    )
    op.create_index(op.f('ix_sales_file_id'), 'sales', ['file_id'], unique=False, schema='housing')


def downgrade() -> None:
    op.drop_index(op.f('ix_sales_file_id'), table_name='sales', schema='housing')
    op.drop_table('sales', schema='housing')
    op.execute("DROP SCHEMA IF EXISTS housing")
