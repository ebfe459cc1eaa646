"""message copies: a message an earlier exhibit of the same conversation also holds

Revision ID: 0021_message_copies
Revises: 0022_recipient_names
Create Date: 2026-12-04

One new table, filled at ingest from now on; the upgrade fills it for exhibits already
linked to another (lowest exhibit first, as ingest would have), so their copies are counted
once too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_message_copies"
down_revision = "0022_recipient_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_copies",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("first_conversation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_message_copies_message_id_messages")),
        sa.ForeignKeyConstraint(["first_id"], ["messages.id"],
                                name=op.f("fk_message_copies_first_id_messages")),
        sa.ForeignKeyConstraint(["first_conversation_id"], ["conversations.id"],
                                name=op.f("fk_message_copies_first_conversation_id_conversations")),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_message_copies")),
    )
    op.create_index(op.f("ix_message_copies_first_id"), "message_copies", ["first_id"])
    _fill(op.get_bind())


def _fill(conn: sa.Connection) -> None:
    # Imported here: the library's tables are the head's, and this runs only at this upgrade.
    from conductlens.store.groups import record_copies

    linked = conn.execute(sa.text(
        "SELECT DISTINCT c.exhibit_id FROM conversation_links l "
        "JOIN conversations c ON c.id = l.conversation_id ORDER BY c.exhibit_id")).scalars()
    for exhibit_id in list(linked):
        record_copies(conn, int(exhibit_id))


def downgrade() -> None:
    op.drop_table("message_copies")
