"""stages: program scripts, reverse mentoring hopes and engagement checks

Revision ID: a2b3c4d5e6f7
Revises: f1a2b3c4d5e6
Create Date: 2026-11-30 16:50:44.435383
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import storage.types


revision = 'a2b3c4d5e6f7'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('engagement_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('making_time', sa.Integer(), nullable=False),
    sa.Column('engaged', sa.Integer(), nullable=False),
    sa.Column('answered_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['pair_id'], ['pair.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pair_id', 'member_id', 'round')
    )
    with op.batch_alter_table('engagement_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_check_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_check_pair_id'), ['pair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_check_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_check_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hopes', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=''))

    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('script', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))



def downgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('script')

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_column('hopes')

    with op.batch_alter_table('engagement_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_check_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_engagement_check_program_id'))
        batch_op.drop_index(batch_op.f('ix_engagement_check_pair_id'))
        batch_op.drop_index(batch_op.f('ix_engagement_check_member_id'))

    op.drop_table('engagement_check')
