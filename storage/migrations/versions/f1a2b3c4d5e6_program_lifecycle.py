"""program lifecycle: seats, invitations, org records, the closing phase and what members chose next

Revision ID: f1a2b3c4d5e6
Revises: e7f8a9b0c1d2
Create Date: 2026-11-30 15:58:06.104044
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import storage.types


revision = 'f1a2b3c4d5e6'
down_revision = 'e7f8a9b0c1d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('org_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('team', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('manager', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('seniority', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('imported_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'key')
    )
    with op.batch_alter_table('org_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_record_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('closing_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chosen_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program_id', 'member_id', 'choice')
    )
    with op.batch_alter_table('closing_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closing_choice_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closing_choice_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closing_choice_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_member_email'), ['email'], unique=False)

    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('k_anonymity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invite_new_within_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('org_fields_editable', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('closing_started_at', storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', storage.types.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closing_started_at')
        batch_op.drop_column('org_fields_editable')
        batch_op.drop_column('invite_new_within_days')
        batch_op.drop_column('k_anonymity')
        batch_op.drop_column('seats')

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_email'))
        batch_op.drop_column('start_date')
        batch_op.drop_column('email')

    with op.batch_alter_table('closing_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closing_choice_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_closing_choice_program_id'))
        batch_op.drop_index(batch_op.f('ix_closing_choice_member_id'))

    op.drop_table('closing_choice')
    with op.batch_alter_table('org_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_record_workspace_id'))

    op.drop_table('org_record')
