"""review at scale: indexes for the queue, the audit chain's verified mark and its triggers

Revision ID: 0020_review_indexes
Revises: 0021_message_copies
Create Date: 2026-12-04

Additive only. The planner's statistics are gathered (``store.stats`` says why).
``audit_verified`` keeps how far the chain was verified (one row); a trigger on
``audit_events`` forgets it whenever a record is changed or removed, so the auditor's page
may verify only the records appended since and still catch an edit anywhere.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_review_indexes"
down_revision = "0021_message_copies"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FORGET = ("UPDATE audit_verified SET generation = generation + 1, through_id = 0, "
          f"through_hash = '{GENESIS}'")


def upgrade() -> None:
    op.create_index("ix_decisions_finding_case", "decisions", ["finding_id", "case_id", "id"])
    op.create_table(
        "audit_verified",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("through_id", sa.Integer(), nullable=False),
        sa.Column("through_hash", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verified")),
    )
    op.execute("INSERT INTO audit_verified (id, through_id, through_hash, generation) "
               f"VALUES (1, 0, '{GENESIS}', 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_forget_verified() RETURNS trigger AS $$ "
                   f"BEGIN {FORGET}; RETURN NULL; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER audit_events_changed AFTER UPDATE OR DELETE OR TRUNCATE "
                   "ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_forget_verified()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_events_{event.lower()}d AFTER {event} ON "
                       f"audit_events BEGIN {FORGET}; END")
    # Stores ingested before now have no planner statistics (store/stats.py says why).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=1000")
        op.execute("ANALYZE")
    elif op.get_bind().dialect.name == "postgresql":
        for table in ("messages", "findings", "participants", "conversations", "exhibits"):
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_changed ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_forget_verified()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_updated")
        op.execute("DROP TRIGGER IF EXISTS audit_events_deleted")
    op.drop_table("audit_verified")
    op.drop_index("ix_decisions_finding_case", table_name="decisions")
