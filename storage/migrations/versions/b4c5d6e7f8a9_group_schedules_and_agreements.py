"""agreements: a circle's or pair's own schedule and the agreements that set it

Revision ID: b4c5d6e7f8a9
Revises: a2b3c4d5e6f7
Create Date: 2026-11-30 19:05:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import storage.types


revision = 'b4c5d6e7f8a9'
down_revision = 'a2b3c4d5e6f7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('proposed_by_member_id', sa.Integer(), nullable=False),
    sa.Column('every_weeks', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('meeting_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('length_minutes', sa.Integer(), nullable=False),
    sa.Column('topics', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('decided_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], ),
    sa.ForeignKeyConstraint(['proposed_by_member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group', 'version')
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_group'), ['group'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_proposed_by_member_id'), ['proposed_by_member_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('agreementconfirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agreement_id', 'member_id')
    )
    with op.batch_alter_table('agreementconfirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreementconfirmation_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreementconfirmation_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreementconfirmation_workspace_id'), ['workspace_id'], unique=False)

    for table in ('circle', 'pair'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('schedule', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    for table in ('pair', 'circle'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('schedule')

    with op.batch_alter_table('agreementconfirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreementconfirmation_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_agreementconfirmation_member_id'))
        batch_op.drop_index(batch_op.f('ix_agreementconfirmation_agreement_id'))
    op.drop_table('agreementconfirmation')

    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_proposed_by_member_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_program_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_group'))
    op.drop_table('agreement')
