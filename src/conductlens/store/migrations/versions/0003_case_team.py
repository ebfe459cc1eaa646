"""case teams: who may open a case's pages and content

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Existing cases keep the people who already acted on them: the opening investigator and
everyone who proposed or decided one of its scopes are put on its team (``added_by`` is
"migration 0003").
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MIGRATION = "migration 0003"


def upgrade() -> None:
    table = op.create_table(
        "case_team",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_case_team_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "username", name=op.f("pk_case_team")),
    )
    with op.batch_alter_table("case_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_team_username"), ["username"], unique=False)
    _backfill(table)


def _backfill(table: sa.Table) -> None:
    bind = op.get_bind()
    details = sa.table("case_details", sa.column("case_id"), sa.column("opened_by"))
    scopes = sa.table("scopes", sa.column("case_id"), sa.column("proposed_by"),
                      sa.column("decided_by"))
    pairs: set[tuple[int, str]] = set()
    for query in (sa.select(details.c.case_id, details.c.opened_by),
                  sa.select(scopes.c.case_id, scopes.c.proposed_by),
                  sa.select(scopes.c.case_id, scopes.c.decided_by)):
        pairs.update((int(c), str(u)) for c, u in bind.execute(query) if u)
    now = datetime.now(UTC)
    rows = [{"case_id": c, "username": u, "added_by": MIGRATION, "added_at": now}
            for c, u in sorted(pairs)]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("case_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_team_username"))
    op.drop_table("case_team")
