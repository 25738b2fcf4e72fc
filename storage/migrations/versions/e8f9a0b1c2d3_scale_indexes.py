"""scale indexes: what EXPLAIN ANALYZE on a seeded 20,000-member company asked for (issue 18)

delivery (workspace_id, kind): `forget me` clears the workspace's files (kind "file") among ~2,000,000 deliveries;
without it that UPDATE read every delivery of the workspace (409 ms at 20,000 members, 2.5 ms with it).

Revision ID: e8f9a0b1c2d3
Revises: d6e7f8a9b0c1
Create Date: 2026-11-30 23:00:00.000000
"""
from alembic import op

revision = 'e8f9a0b1c2d3'
down_revision = 'd6e7f8a9b0c1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_delivery_workspace_id_kind', 'delivery', ['workspace_id', 'kind'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_delivery_workspace_id_kind', table_name='delivery')
