"""register accounts: identifier kinds per platform, the date declared, what made a link

Revision ID: 0019_register_accounts
Revises: 0018_queue_tags
Create Date: 2026-12-04

Identifiers were ``phone|username|email`` with a free platform; now the kind is the platform
(``phone, whatsapp, telegram, signal, instagram, facebook, email``). Old rows are moved where
their platform says which kind they are: a phone on WhatsApp, Signal or Telegram becomes that
kind, a username on Telegram, Signal, Instagram or Facebook (Messenger) likewise; a Telegram
user id written as digits becomes ``user<digits>``, as Telegram's exports write it. Rows
whose platform no kind covers (a Slack username, say) stay ``username`` and are still shown
and matched. Platforms are left as they were, so no two rows can collide.

Added: ``identifiers.declared_on`` (unknown for old rows) and, on ``participant_links``, the
identifier that matched and what it matched on (unknown for old links).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_register_accounts"
down_revision = "0018_queue_tags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declared_on", sa.Date(), nullable=True))
    with op.batch_alter_table("participant_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identifier_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("matched_on", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_participant_links_identifier_id_identifiers"), "identifiers",
            ["identifier_id"], ["id"])
    op.execute("UPDATE identifiers SET kind = platform WHERE kind = 'phone' "
               "AND platform IN ('whatsapp', 'signal', 'telegram')")
    op.execute("UPDATE identifiers SET kind = platform WHERE kind = 'username' "
               "AND platform IN ('telegram', 'signal', 'instagram', 'facebook')")
    op.execute("UPDATE identifiers SET kind = 'facebook' WHERE kind = 'username' "
               "AND platform = 'messenger'")
    _telegram_ids()


def _telegram_ids() -> None:
    conn = op.get_bind()
    ids = sa.table("identifiers", sa.column("id"), sa.column("kind"), sa.column("platform"),
                   sa.column("value"))
    rows = conn.execute(sa.select(ids.c.id, ids.c.platform, ids.c.value)
                        .where(ids.c.kind == "telegram")).all()
    held = {(str(p), str(v)) for _, p, v in rows}
    for row_id, platform, value in rows:
        new = f"user{value}"
        if str(value).isdigit() and (str(platform), new) not in held:
            conn.execute(sa.update(ids).where(ids.c.id == row_id).values(value=new))


def downgrade() -> None:
    op.execute("UPDATE identifiers SET kind = 'phone' "
               "WHERE kind IN ('whatsapp', 'signal', 'telegram') AND value LIKE '+%'")
    op.execute("UPDATE identifiers SET kind = 'username' "
               "WHERE kind IN ('whatsapp', 'signal', 'telegram', 'instagram', 'facebook')")
    with op.batch_alter_table("participant_links", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_participant_links_identifier_id_identifiers"), type_="foreignkey")
        batch_op.drop_column("matched_on")
        batch_op.drop_column("identifier_id")
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.drop_column("declared_on")
