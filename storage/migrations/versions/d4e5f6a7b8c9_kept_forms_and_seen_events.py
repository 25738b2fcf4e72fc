"""kept forms and seen Slack events

Revision ID: d4e5f6a7b8c9
Revises: b3c1d2e4f5a6
Create Date: 2026-12-01 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import storage.types


revision = 'd4e5f6a7b8c9'
down_revision = 'b3c1d2e4f5a6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kept_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('user_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('form', sa.JSON(), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('kept_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_form_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_form_user_key'), ['user_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_form_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('seen_event',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('seen_at', storage.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('seen_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seen_event_seen_at'), ['seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('seen_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seen_event_seen_at'))

    op.drop_table('seen_event')
    with op.batch_alter_table('kept_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_form_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_kept_form_user_key'))
        batch_op.drop_index(batch_op.f('ix_kept_form_expires_at'))

    op.drop_table('kept_form')
