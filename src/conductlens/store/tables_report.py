"""Tables for outcomes, barred-list referrals and imported national aggregates.

They share ``conductlens.store.tables.metadata``; migration ``0010_report`` creates them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from conductlens.store.tables import metadata

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("person_id", ForeignKey("people.id"), nullable=True),
    Column("case_type", String(32), nullable=False),
    Column("subject_type", String(24), nullable=False),
    Column("recorded_on", Date, nullable=False),
    Column("standards", Text, nullable=False),  # JSON list of Standards
    Column("case_to_answer", Boolean, nullable=True),
    Column("proceeding", String(24), nullable=False),
    Column("finding", String(24), nullable=False),
    Column("action", String(32), nullable=True),
    Column("former_officer", Boolean, nullable=False),
    Column("live_final_written_warning", Boolean, nullable=False),
    Column("several_unconnected_incidents", Boolean, nullable=False),
    Column("investigation_started_on", Date, nullable=True),
    Column("referred_on", Date, nullable=True),
    Column("proceeding_on", Date, nullable=True),
    Column("finalised_on", Date, nullable=True, index=True),
    Column("suspended_from", Date, nullable=True),
    Column("suspended_to", Date, nullable=True),
    Column("appeal_lodged_on", Date, nullable=True),
    Column("appeal_result", String(16), nullable=True),
    Column("appeal_decided_on", Date, nullable=True),
    Column("criminal_proceedings", Text, nullable=False),
    Column("characteristics", Text, nullable=False),  # JSON object: only what was recorded
    Column("recorded_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "person_id", name="uq_outcomes_case_person"),
)

barred_list_referrals = Table(
    "barred_list_referrals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("outcome_id", ForeignKey("outcomes.id"), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("force", Text, nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("status", String(32), nullable=False),
    Column("rank", Text, nullable=False),
    Column("warrant_number", Text, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

aggregate_imports = Table(
    "aggregate_imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_name", Text, nullable=False, unique=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("force", Text, nullable=False),
    Column("year", String(7), nullable=False),
    Column("schema_version", String(16), nullable=False),
    Column("payload", Text, nullable=False),  # the signed aggregate, canonical JSON
    Column("imported_by", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("force", "year", name="uq_aggregate_imports_force_year"),
)
