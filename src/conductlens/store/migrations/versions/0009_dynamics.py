"""dynamics: read receipts (who the sender's phone says received, read, played a message)

Revision ID: 0009_dynamics
Revises: 0006_evidence
Create Date: 2026-12-02

Additive only: one new table; membership rows from the phones' member tables reuse
``membership_events`` (kinds ``member`` and ``past_member``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_dynamics"
down_revision = "0006_evidence"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("delivered_utc", TZ, nullable=True),
        sa.Column("read_utc", TZ, nullable=True),
        sa.Column("played_utc", TZ, nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["exhibit_id"], ["exhibits.id"],
                                name=op.f("fk_receipts_exhibit_id_exhibits")),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_receipts_conversation_id_conversations")),
        sa.ForeignKeyConstraint(["recipient_id"], ["participants.id"],
                                name=op.f("fk_receipts_recipient_id_participants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
    )
    op.create_index(op.f("ix_receipts_exhibit_id"), "receipts", ["exhibit_id"])
    op.create_index(op.f("ix_receipts_message_id"), "receipts", ["message_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_receipts_message_id"), table_name="receipts")
    op.drop_index(op.f("ix_receipts_exhibit_id"), table_name="receipts")
    op.drop_table("receipts")
