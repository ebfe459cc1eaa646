"""message copies: a message an earlier exhibit of the same conversation also holds

Revision ID: 0021_message_copies
Revises: 0022_recipient_names
Create Date: 2026-12-04

Additive only: one new table, filled at ingest. Exhibits ingested before it have no rows, so
their copies are still shown apart until they are ingested again.
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


def downgrade() -> None:
    op.drop_table("message_copies")
