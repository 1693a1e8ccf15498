"""events.events (the events dataset's own migration: an Alembic branch on top of the core, which
created the hstore extension; generated with `make migration MESSAGE="events table" DATASET=events`,
then reviewed).

Revision ID: events_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'events_0001'
down_revision = None
branch_labels = ('events',)
depends_on = '0006'


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS events")
    op.create_table('events',
    sa.Column('event_id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('ts', sa.DateTime(timezone=True), autoincrement=False, nullable=False, comment='when it happened (UTC)'),
    sa.Column('level', sa.Text(), autoincrement=False, nullable=True, comment='lower-case as sent (info, warn, error, ...); null when the event had none'),
    sa.Column('event', sa.Text(), autoincrement=False, nullable=False, comment="the event's name (http_request for a web-server access log line)"),
    sa.Column('user_id', sa.Text(), autoincrement=False, nullable=True, comment='as text: JSON 42 and logfmt 42 are one user'),
    sa.Column('session_id', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('message', sa.Text(), autoincrement=False, nullable=True),
    sa.Column('attributes', postgresql.HSTORE(text_type=sa.Text()), autoincrement=False, nullable=True, comment='every other key, values as text (nested objects flattened to dotted keys)'),
    sa.Column('file_id', sa.BigInteger(), nullable=False, comment='the file this row came from (filegate.files)'),
    sa.Column('line', sa.Integer(), nullable=False, comment='the line of the file where the record starts'),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_events')),
    schema='events',
    comment='Application and web-server events from .log (logfmt, Combined Log Format), .csv and .json files'
    )
    op.create_index('ix_events_attributes', 'events', ['attributes'], unique=False, schema='events', postgresql_using='gin')
    op.create_index(op.f('ix_events_file_id'), 'events', ['file_id'], unique=False, schema='events')
    op.create_index('ix_events_ts', 'events', ['ts'], unique=False, schema='events', postgresql_using='btree')


def downgrade() -> None:
    op.drop_index('ix_events_ts', table_name='events', schema='events', postgresql_using='btree')
    op.drop_index(op.f('ix_events_file_id'), table_name='events', schema='events')
    op.drop_index('ix_events_attributes', table_name='events', schema='events', postgresql_using='gin')
    op.drop_table('events', schema='events')
    op.execute("DROP SCHEMA IF EXISTS events")
