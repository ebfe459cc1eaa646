"""scan_scopes: the exhibits each scan run read, so a run's mark covers those exhibits only

Revision ID: 0025_scan_scopes
Revises: 0024_video_frames
Create Date: 2026-12-07

Until now a case's scan remembered one message id for the whole case, so an exhibit linked
into the case afterwards, whose messages had lower ids, was never scanned. The runs already
recorded are given the exhibits they could have read: every exhibit for a store-wide run,
and for a case's run the exhibits linked to that case before the run started.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_scan_scopes"
down_revision = "0024_video_frames"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_scopes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("scanned_to", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["scan_runs.id"],
                                name=op.f("fk_scan_scopes_run_id_scan_runs")),
        sa.ForeignKeyConstraint(["exhibit_id"], ["exhibits.id"],
                                name=op.f("fk_scan_scopes_exhibit_id_exhibits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_scopes")),
        sa.UniqueConstraint("run_id", "exhibit_id", name="uq_scan_scopes_run_exhibit"),
    )
    op.create_index(op.f("ix_scan_scopes_run_id"), "scan_scopes", ["run_id"])
    op.create_index(op.f("ix_scan_scopes_exhibit_id"), "scan_scopes", ["exhibit_id"])
    op.execute(
        "INSERT INTO scan_scopes (run_id, exhibit_id, scanned_to) "
        "SELECT r.id, e.id, 0 FROM scan_runs r CROSS JOIN exhibits e WHERE r.case_id IS NULL"
    )
    # A case's run read the exhibits linked before it started (or filed under the case
    # before links existed); one linked later was not read, whatever its ids.
    op.execute(
        "INSERT INTO scan_scopes (run_id, exhibit_id, scanned_to) "
        "SELECT r.id, ce.exhibit_id, 0 FROM scan_runs r JOIN case_exhibits ce "
        "ON ce.case_id = r.case_id WHERE ce.added_at <= r.started_at"
    )
    op.execute(
        "INSERT INTO scan_scopes (run_id, exhibit_id, scanned_to) "
        "SELECT r.id, e.id, 0 FROM scan_runs r JOIN exhibits e ON e.case_id = r.case_id "
        "WHERE e.added_at <= r.started_at AND NOT EXISTS (SELECT 1 FROM case_exhibits ce "
        "WHERE ce.case_id = r.case_id AND ce.exhibit_id = e.id)"
    )


def downgrade() -> None:
    op.drop_table("scan_scopes")
