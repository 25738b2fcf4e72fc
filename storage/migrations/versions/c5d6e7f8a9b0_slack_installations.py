"""slack installations: slack_sdk's installation, bot and OAuth state tables; workspaces marked inactive

Revision ID: c5d6e7f8a9b0
Revises: b4c5d6e7f8a9
Create Date: 2026-11-30 19:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from storage.types import UTCDateTime


revision = 'c5d6e7f8a9b0'
down_revision = 'b4c5d6e7f8a9'
branch_labels = None
depends_on = None


def _team() -> list[sa.Column]:
    return [sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
            sa.Column('client_id', sa.String(length=32), nullable=False),
            sa.Column('app_id', sa.String(length=32), nullable=False),
            sa.Column('enterprise_id', sa.String(length=32), nullable=True),
            sa.Column('enterprise_name', sa.String(length=200), nullable=True),
            sa.Column('team_id', sa.String(length=32), nullable=True),
            sa.Column('team_name', sa.String(length=200), nullable=True)]


def _bot() -> list[sa.Column]:
    # Tokens are stored Fernet-encrypted: Text, not slack_sdk's String(200).
    return [sa.Column('bot_token', sa.Text(), nullable=True),
            sa.Column('bot_id', sa.String(length=32), nullable=True),
            sa.Column('bot_user_id', sa.String(length=32), nullable=True),
            sa.Column('bot_scopes', sa.String(length=1000), nullable=True),
            sa.Column('bot_refresh_token', sa.Text(), nullable=True),
            sa.Column('bot_token_expires_at', sa.DateTime(), nullable=True)]


def upgrade() -> None:
    op.create_table('slack_installations', *_team(),
    sa.Column('enterprise_url', sa.String(length=200), nullable=True),
    *_bot(),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('user_token', sa.Text(), nullable=True),
    sa.Column('user_scopes', sa.String(length=1000), nullable=True),
    sa.Column('user_refresh_token', sa.Text(), nullable=True),
    sa.Column('user_token_expires_at', sa.DateTime(), nullable=True),
    sa.Column('incoming_webhook_url', sa.String(length=200), nullable=True),
    sa.Column('incoming_webhook_channel', sa.String(length=200), nullable=True),
    sa.Column('incoming_webhook_channel_id', sa.String(length=200), nullable=True),
    sa.Column('incoming_webhook_configuration_url', sa.String(length=200), nullable=True),
    sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
    sa.Column('token_type', sa.String(length=32), nullable=True),
    sa.Column('installed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('slack_installations_idx', 'slack_installations',
                    ['client_id', 'enterprise_id', 'team_id', 'user_id', 'installed_at'], unique=False)
    op.create_table('slack_bots', *_team(), *_bot(),
    sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
    sa.Column('installed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('slack_bots_idx', 'slack_bots', ['client_id', 'enterprise_id', 'team_id', 'installed_at'],
                    unique=False)
    op.create_table('slack_oauth_states',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('state', sa.String(length=200), nullable=False),
    sa.Column('expire_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workspace') as batch:
        batch.add_column(sa.Column('inactive_since', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('inactive_reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('workspace') as batch:
        batch.drop_column('inactive_reason')
        batch.drop_column('inactive_since')
    op.drop_table('slack_oauth_states')
    op.drop_index('slack_bots_idx', table_name='slack_bots')
    op.drop_table('slack_bots')
    op.drop_index('slack_installations_idx', table_name='slack_installations')
    op.drop_table('slack_installations')
