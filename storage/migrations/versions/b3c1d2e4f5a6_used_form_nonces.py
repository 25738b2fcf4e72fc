"""used form nonces

Revision ID: b3c1d2e4f5a6
Revises: 72211104676f
Create Date: 2026-11-27 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import storage.types


revision = 'b3c1d2e4f5a6'
down_revision = '72211104676f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('used_form',
    sa.Column('nonce', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('used_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('nonce')
    )
    with op.batch_alter_table('used_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_form_workspace_id'), ['workspace_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('used_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_form_workspace_id'))

    op.drop_table('used_form')
