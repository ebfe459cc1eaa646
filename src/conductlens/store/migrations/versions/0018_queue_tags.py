"""queue tools: force tags, tags on findings with comments, escalations for a second review

Revision ID: 0018_queue_tags
Revises: 0017_jobs
Create Date: 2026-12-04

Additive only: three new tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_queue_tags"
down_revision = "0017_jobs"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "force_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_force_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_force_tags_name")),
    )
    op.create_table(
        "finding_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("removed_by", sa.Text(), nullable=True),
        sa.Column("removed_at", TZ, nullable=True),
        _fk("finding_tags", "case_id", "cases"),
        _fk("finding_tags", "finding_id", "findings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_tags")),
    )
    op.create_index(op.f("ix_finding_tags_case_id"), "finding_tags", ["case_id"])
    op.create_index(op.f("ix_finding_tags_finding_id"), "finding_tags", ["finding_id"])
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("to_username", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("escalated_by", sa.Text(), nullable=False),
        sa.Column("escalated_at", TZ, nullable=False),
        sa.Column("reviewed_at", TZ, nullable=True),
        sa.Column("review_decision", sa.String(16), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        _fk("escalations", "case_id", "cases"),
        _fk("escalations", "finding_id", "findings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    for column in ("case_id", "finding_id", "to_username"):
        op.create_index(op.f(f"ix_escalations_{column}"), "escalations", [column])


def downgrade() -> None:
    op.drop_table("escalations")
    op.drop_table("finding_tags")
    op.drop_table("force_tags")
