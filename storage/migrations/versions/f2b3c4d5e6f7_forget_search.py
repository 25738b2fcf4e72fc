"""forget search: what `forget me` reads among millions of deliveries (issue 18)

delivery.target: the member's direct messages are found by target as well as by member_id (the UPDATE read every
delivery of the workspace: 1.2 s at 100,000 members).
ix_delivery_settled_words (PostgreSQL only): a GIN index of the words of a settled (sent, skipped, failed)
delivery's text columns, so the search for an erased member's ids, name and quoted words no longer reads every
delivery of the workspace (a 10 s scan at 100,000 members). The expression is storage/tables/delivery.py's
DELIVERY_WORDS_SQL, copied here so this revision stays what it was when the model changes.

Revision ID: f2b3c4d5e6f7
Revises: e8f9a0b1c2d3
Create Date: 2026-12-01 01:40:00.000000
"""
from alembic import op

revision = 'f2b3c4d5e6f7'
down_revision = 'e8f9a0b1c2d3'
branch_labels = None
depends_on = None

WORDS = (  # storage/tables/delivery.py's DELIVERY_WORDS_SQL as it was
    "regexp_split_to_array(translate((((((((((((((key::text || ' '::text) || kind::text) || "
    "' '::text) || target::text) || ' '::text) || status::text) || ' '::text) || "
    "COALESCE(claimed_by, ''::character varying)::text) || ' '::text) || "
    "COALESCE(sent_ref, ''::character varying)::text) || ' '::text) || "
    "COALESCE(last_error, ''::character varying)::text) || ' '::text) || "
    "regexp_replace(payload::text, '\\\\(u[0-9a-fA-F]{4}|.)'::text, ' '::text, "
    "'g'::text), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ\u0130\u0131\u017f\u212a'::text, "
    "'abcdefghijklmnopqrstuvwxyziisk'::text), '[^a-z0-9_-]+'::text)")


def upgrade() -> None:
    op.create_index('ix_delivery_target', 'delivery', ['target'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX ix_delivery_settled_words ON delivery USING gin (({WORDS})) "
                   "WHERE status IN ('failed', 'sent', 'skipped')")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_delivery_settled_words', table_name='delivery')
    op.drop_index('ix_delivery_target', table_name='delivery')
