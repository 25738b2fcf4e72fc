"""slack team orgs: which Enterprise Grid org each Slack workspace belongs to

Revision ID: d6e7f8a9b0c1
Revises: c5d6e7f8a9b0
Create Date: 2026-11-30 22:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = 'd6e7f8a9b0c1'
down_revision = 'c5d6e7f8a9b0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('slack_team_orgs',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('enterprise_id', sa.String(length=32), nullable=False),
    sa.Column('seen_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('team_id')
    )
    op.create_index('slack_team_orgs_enterprise_idx', 'slack_team_orgs', ['enterprise_id'], unique=False)


def downgrade() -> None:
    op.drop_index('slack_team_orgs_enterprise_idx', table_name='slack_team_orgs')
    op.drop_table('slack_team_orgs')
