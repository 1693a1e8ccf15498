"""wells.wells, wells.production and the derived wells.well_production, wells.operators (the wells
dataset's own migration: an Alembic branch on top of the core; generated with
`make migration MESSAGE="wells tables" DATASET=wells`, then reviewed).

Revision ID: wells_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = 'wells_0001'
down_revision = None
branch_labels = ('wells',)
depends_on = '0006'


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS wells")
    op.create_table('operators',
    sa.Column('operator', sa.Text(), autoincrement=False, nullable=False),
    sa.Column('wells', sa.Integer(), autoincrement=False, nullable=False, comment='wells the operator holds in the master'),
    sa.Column('producing_wells', sa.Integer(), autoincrement=False, nullable=False, comment='of which with a month of oil or gas above zero'),
    sa.Column('first_month', sa.Date(), autoincrement=False, nullable=True, comment='first month any of its wells reported'),
    sa.Column('last_month', sa.Date(), autoincrement=False, nullable=True, comment='last month any of its wells reported'),
    sa.Column('oil', sa.Numeric(), autoincrement=False, nullable=True, comment='cumulative, barrels'),
    sa.Column('gas', sa.Numeric(), autoincrement=False, nullable=True, comment='cumulative, mcf'),
    sa.Column('water', sa.Numeric(), autoincrement=False, nullable=True, comment='cumulative, barrels'),
    sa.PrimaryKeyConstraint('operator', name=op.f('pk_operators')),
    schema='wells',
    comment="Per operator (its wells' current operator): wells, producing wells, months, cumulative volumes"
    )
    op.create_table('production',
    sa.Column('api', sa.Text(), autoincrement=False, nullable=False, comment='API well number, canonical 14 digits'),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('oil', sa.Numeric(), autoincrement=False, nullable=True, comment='barrels'),
    sa.Column('gas', sa.Numeric(), autoincrement=False, nullable=True, comment='thousand cubic feet (mcf)'),
    sa.Column('water', sa.Numeric(), autoincrement=False, nullable=True, comment='barrels'),
    sa.Column('days', sa.Integer(), autoincrement=False, nullable=True, comment='days produced in the month'),
    sa.Column('file_id', sa.BigInteger(), nullable=False, comment='the file this row came from (filegate.files)'),
    sa.Column('line', sa.Integer(), nullable=False, comment='the line of the file where the record starts'),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('api', 'year', 'month', name=op.f('pk_production')),
    schema='wells',
    comment='Monthly production per well; a month delivered again overwrites'
    )
    op.create_index(op.f('ix_production_file_id'), 'production', ['file_id'], unique=False, schema='wells')
    op.create_table('well_production',
    sa.Column('api', sa.Text(), autoincrement=False, nullable=False),
    sa.Column('months', sa.Integer(), autoincrement=False, nullable=False, comment='months reported'),
    sa.Column('producing_months', sa.Integer(), autoincrement=False, nullable=False, comment='months with oil or gas above zero'),
    sa.Column('first_month', sa.Date(), autoincrement=False, nullable=False, comment='first month reported (its first day)'),
    sa.Column('last_month', sa.Date(), autoincrement=False, nullable=False, comment='last month reported (its first day)'),
    sa.Column('oil', sa.Numeric(), autoincrement=False, nullable=True),
    sa.Column('gas', sa.Numeric(), autoincrement=False, nullable=True),
    sa.Column('water', sa.Numeric(), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('api', name=op.f('pk_well_production')),
    schema='wells',
    comment='Cumulative production per well, from wells.production'
    )
    op.create_table('wells',
    sa.Column('api', sa.Text(), autoincrement=False, nullable=False, comment='API well number, canonical 14 digits (state, county, well, sidetrack, event)'),
    sa.Column('well_name', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('operator', sa.Text(), autoincrement=False, nullable=False, comment='the operator as of the latest master delivered'),
    sa.Column('county', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('field', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('status', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('well_type', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('spud_date', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('latitude', sa.Double(), autoincrement=False, nullable=True),
    sa.Column('longitude', sa.Double(), autoincrement=False, nullable=True),
    sa.Column('file_id', sa.BigInteger(), nullable=False, comment='the file this row came from (filegate.files)'),
    sa.Column('line', sa.Integer(), nullable=False, comment='the line of the file where the record starts'),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('api', name=op.f('pk_wells')),
    schema='wells',
    comment='The well master: one row per well, as of the latest master file delivered'
    )
    op.create_index(op.f('ix_wells_file_id'), 'wells', ['file_id'], unique=False, schema='wells')


def downgrade() -> None:
    op.drop_index(op.f('ix_wells_file_id'), table_name='wells', schema='wells')
    op.drop_table('wells', schema='wells')
    op.drop_table('well_production', schema='wells')
    op.drop_index(op.f('ix_production_file_id'), table_name='production', schema='wells')
    op.drop_table('production', schema='wells')
    op.drop_table('operators', schema='wells')
    op.execute("DROP SCHEMA IF EXISTS wells")
