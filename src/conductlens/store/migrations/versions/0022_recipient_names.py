"""recipient names: pseudonyms approved to be shown by name to one named recipient

Revision ID: 0022_recipient_names
Revises: 0019_register_accounts
Create Date: 2026-12-04

Additive only: one new table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_recipient_names"
down_revision = "0019_register_accounts"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recipient_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("recipient_key", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.Text(), nullable=False),
        sa.Column("proposed_at", TZ, nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_recipient_names_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_names")),
    )
    op.create_index(op.f("ix_recipient_names_case_id"), "recipient_names", ["case_id"])
    op.create_index(op.f("ix_recipient_names_recipient_key"), "recipient_names",
                    ["recipient_key"])


def downgrade() -> None:
    op.drop_table("recipient_names")
