"""evidence: exhibits in many cases; the same conversation across exhibits

Revision ID: 0006_evidence
Revises: 0005_accounts
Create Date: 2026-12-02

Additive only: two new tables. Every exhibit already filed under a case gets its link.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_evidence"
down_revision = "0005_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the link tables and link every exhibit to the case it was filed under."""
    op.create_table(
        "case_exhibits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_exhibits_case_id_cases"),
        sa.ForeignKeyConstraint(["exhibit_id"], ["exhibits.id"],
                                name="fk_case_exhibits_exhibit_id_exhibits"),
        sa.PrimaryKeyConstraint("id", name="pk_case_exhibits"),
        sa.UniqueConstraint("case_id", "exhibit_id", name="uq_case_exhibits_case_exhibit"),
    )
    op.create_index("ix_case_exhibits_case_id", "case_exhibits", ["case_id"])
    op.create_index("ix_case_exhibits_exhibit_id", "case_exhibits", ["exhibit_id"])
    op.execute(
        "INSERT INTO case_exhibits (case_id, exhibit_id, added_by, added_at) "
        "SELECT case_id, id, added_by, added_at FROM exhibits WHERE case_id IS NOT NULL"
    )
    op.create_table(
        "conversation_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("same_as_id", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Integer(), nullable=False),
        sa.Column("sampled", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name="fk_conversation_links_conversation_id_conversations"),
        sa.ForeignKeyConstraint(["same_as_id"], ["conversations.id"],
                                name="fk_conversation_links_same_as_id_conversations"),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_links"),
        sa.UniqueConstraint("conversation_id", "same_as_id",
                            name="uq_conversation_links_pair"),
    )
    op.create_index("ix_conversation_links_conversation_id", "conversation_links",
                    ["conversation_id"])
    op.create_index("ix_conversation_links_same_as_id", "conversation_links", ["same_as_id"])


def downgrade() -> None:
    """Drop the link tables (exhibits keep their first case)."""
    op.drop_table("conversation_links")
    op.drop_table("case_exhibits")
