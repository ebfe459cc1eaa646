"""accounts and separation of duties: sign-in throttling, who made and confirmed an account,
case team changes awaiting a second person

Revision ID: 0005_accounts
Revises: 0012_images
Create Date: 2026-12-02

Existing accounts and team members are kept as they are: ``created_by`` is NULL for accounts
made before this revision (nobody can tell who made them), so none of them waits for a
confirmation; existing team members count as approved by "migration 0005".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_accounts"
down_revision = "0012_images"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("kind", sa.String(length=16), nullable=False),  # address | account | pair
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "username", "address", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("case_team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_by", sa.Text(), nullable=True))
    op.execute("UPDATE case_team SET approved_by = 'migration 0005'")
    op.create_table(
        "team_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=8), nullable=False),  # add | remove
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),  # requested|approved|refused
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_team_changes_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_changes")),
    )
    with op.batch_alter_table("team_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_changes_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("team_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_changes_case_id"))
    op.drop_table("team_changes")
    with op.batch_alter_table("case_team", schema=None) as batch_op:
        batch_op.drop_column("approved_by")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("confirmed_by")
        batch_op.drop_column("created_by")
    op.drop_table("login_throttle")
