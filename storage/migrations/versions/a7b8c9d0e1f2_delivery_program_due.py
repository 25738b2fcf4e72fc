"""delivery (program_id, due_at): the planners read only recent keys (issue 18)

Series planners leave sessions that went stale more than two weeks ago alone and read only the keys due in the
last seven weeks (bot/sessions/due_windows.KEYS_SINCE): without this index that read still visited every delivery
of the program (640,000 for the largest of a 100,000-member company) to filter on due_at.

Revision ID: a7b8c9d0e1f2
Revises: f2b3c4d5e6f7
Create Date: 2026-12-01 02:00:00.000000
"""
from alembic import op

revision = 'a7b8c9d0e1f2'
down_revision = 'f2b3c4d5e6f7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_delivery_program_id_due_at', 'delivery', ['program_id', 'due_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_delivery_program_id_due_at', table_name='delivery')
