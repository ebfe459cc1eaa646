"""the door: link requests (linking needs a second person) and case origins

Revision ID: 0004_door
Revises: 0009_dynamics
Create Date: 2026-12-01

Additive only. Existing cases get no origin row: they were opened before origins were
recorded, and ``open_case`` treats a case row without details and without an origin as
claimable by nobody but a web opener of the same name, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_door"
down_revision = "0009_dynamics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_link_requests_case_id_cases")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_link_requests_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_requests")),
    )
    with op.batch_alter_table("link_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_requests_case_id"), ["case_id"], unique=False)
    op.create_table(
        "case_origins",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_case_origins_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_origins")),
    )


def downgrade() -> None:
    op.drop_table("case_origins")
    with op.batch_alter_table("link_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_requests_case_id"))
    op.drop_table("link_requests")
