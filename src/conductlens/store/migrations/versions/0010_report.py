"""report: outcomes per subject, barred-list referrals, imported national aggregates; the
activity and day of each entry of hours

Revision ID: 0010_report
Revises: 0003
Create Date: 2026-12-02

Additive only: three new tables and two nullable columns on ``case_hours`` (entries logged
before this migration keep no activity or day; key facts count their hours all the same).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_report"
down_revision = "0003"
branch_labels = None
depends_on = None


def _outcomes() -> None:
    d = sa.Date()
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("case_type", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("recorded_on", d, nullable=False),
        sa.Column("standards", sa.Text(), nullable=False),
        sa.Column("case_to_answer", sa.Boolean(), nullable=True),
        sa.Column("proceeding", sa.String(length=24), nullable=False),
        sa.Column("finding", sa.String(length=24), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("former_officer", sa.Boolean(), nullable=False),
        sa.Column("live_final_written_warning", sa.Boolean(), nullable=False),
        sa.Column("several_unconnected_incidents", sa.Boolean(), nullable=False),
        *(sa.Column(name, d, nullable=True) for name in (
            "investigation_started_on", "referred_on", "proceeding_on", "finalised_on",
            "suspended_from", "suspended_to", "appeal_lodged_on")),
        sa.Column("appeal_result", sa.String(length=16), nullable=True),
        sa.Column("appeal_decided_on", d, nullable=True),
        sa.Column("criminal_proceedings", sa.Text(), nullable=False),
        sa.Column("characteristics", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_outcomes_case_id_cases")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_outcomes_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
        sa.UniqueConstraint("case_id", "person_id", name="uq_outcomes_case_person"),
    )
    op.create_index(op.f("ix_outcomes_case_id"), "outcomes", ["case_id"])
    op.create_index(op.f("ix_outcomes_finalised_on"), "outcomes", ["finalised_on"])


def _referrals() -> None:
    op.create_table(
        "barred_list_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Text(), nullable=False) for name in ("name", "force")),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        *(sa.Column(name, sa.Text(), nullable=False) for name in (
            "rank", "warrant_number", "reasons")),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["outcome_id"], ["outcomes.id"],
                                name=op.f("fk_barred_list_referrals_outcome_id_outcomes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_barred_list_referrals")),
        sa.UniqueConstraint("outcome_id", name=op.f("uq_barred_list_referrals_outcome_id")),
    )


def _imports() -> None:
    op.create_table(
        "aggregate_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("force", sa.Text(), nullable=False),
        sa.Column("year", sa.String(length=7), nullable=False),
        sa.Column("schema_version", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregate_imports")),
        sa.UniqueConstraint("file_name", name=op.f("uq_aggregate_imports_file_name")),
        sa.UniqueConstraint("sha256", name=op.f("uq_aggregate_imports_sha256")),
        sa.UniqueConstraint("force", "year", name="uq_aggregate_imports_force_year"),
    )


def upgrade() -> None:
    _outcomes()
    _referrals()
    _imports()
    with op.batch_alter_table("case_hours", schema=None) as batch_op:
        batch_op.add_column(sa.Column("activity", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("worked_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_hours", schema=None) as batch_op:
        batch_op.drop_column("worked_on")
        batch_op.drop_column("activity")
    op.drop_table("aggregate_imports")
    op.drop_table("barred_list_referrals")
    op.drop_index(op.f("ix_outcomes_finalised_on"), table_name="outcomes")
    op.drop_index(op.f("ix_outcomes_case_id"), table_name="outcomes")
    op.drop_table("outcomes")
