"""Tables for proportionate review: accounts, register, cases, scope, pseudonyms, audit.

They share ``conductlens.store.tables.metadata``; migration ``0002`` creates them,
``0003`` adds ``case_team``, ``0004`` ``link_requests`` and ``case_origins``, ``0005``
throttling, account confirmation and team changes; ``0018_queue_tags`` force tags,
finding tags and escalations; ``0019`` identifiers per platform with the date declared, and
which identifier made each link.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from conductlens.store.tables import metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Who made the account, and who else confirmed it belongs to the person it names (0005).
    Column("created_by", Text, nullable=True),
    Column("confirmed_by", Text, nullable=True),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
)

# Failed sign-ins per address, per account and per (account, address), for back-off (0005).
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("username", String(64), primary_key=True),
    Column("address", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure", DateTime(timezone=True), nullable=False),
    Column("blocked_until", DateTime(timezone=True), nullable=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("staff_number", String(32), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("force", Text, nullable=False),
    Column("team", Text, nullable=True),
    Column("role", Text, nullable=True),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("people.id"), nullable=False, index=True),
    # phone | whatsapp | telegram | signal | instagram | facebook | email (0019); ``username``
    # only on rows from before 0019 that name no platform those kinds cover.
    Column("kind", String(16), nullable=False),
    Column("platform", String(40), nullable=False),  # the kind's own, or "any" (0019)
    Column("value", Text, nullable=False, index=True),  # see review/identifiers.py
    Column("declared_on", Date, nullable=True),  # when the person declared it (0019)
    UniqueConstraint("kind", "platform", "value", name="uq_identifiers_kind_platform_value"),
)

participant_links = Table(
    "participant_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("participant_id", ForeignKey("participants.id"), nullable=False, unique=True),
    Column("person_id", ForeignKey("people.id"), nullable=False, index=True),
    Column("method", String(16), nullable=False),  # identifier | manual
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # For a link by identifier: the declared identifier that matched, and what of the
    # participant's record it matched ("phone", "WhatsApp JID", "Telegram user id") (0019).
    Column("identifier_id", ForeignKey("identifiers.id"), nullable=True),
    Column("matched_on", Text, nullable=True),
)

case_details = Table(
    "case_details",
    metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("allegation", Text, nullable=False),
    Column("status", String(24), nullable=False),
    Column("opened_by", Text, nullable=False),
)

case_team = Table(
    "case_team",
    metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("username", String(64), primary_key=True, index=True),
    Column("added_by", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", Text, nullable=True),  # the second person (0005)
)

# A change to a case team awaiting the case's supervisor or a second admin (0005).
team_changes = Table(
    "team_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("change", String(8), nullable=False),  # add | remove
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),  # requested|approved|refused
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_reason", Text, nullable=True),
)

case_subjects = Table(
    "case_subjects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("person_id", ForeignKey("people.id"), nullable=False),
    UniqueConstraint("case_id", "person_id", name="uq_case_subjects_case_person"),
)

case_hours = Table(
    "case_hours",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("username", Text, nullable=False),
    Column("hours", Float, nullable=False),
    Column("note", Text, nullable=True),
    Column("logged_at", DateTime(timezone=True), nullable=False),
    Column("activity", String(32), nullable=True),  # 0010_report: what the hours were spent on
    Column("worked_on", Date, nullable=True),  # 0010_report: the day worked
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("username", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

scopes = Table(
    "scopes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("subjects", Text, nullable=False),  # JSON list of person ids
    Column("conversations", Text, nullable=False),  # JSON list of conversation ids
    Column("date_from", Date, nullable=False),
    Column("date_to", Date, nullable=False),
    Column("categories", Text, nullable=False),  # JSON list; [] means every category
    Column("rationale", Text, nullable=False),
    Column("status", String(16), nullable=False),  # proposed|authorised|refused|superseded
    Column("proposed_by", Text, nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_reason", Text, nullable=True),
)

pseudonyms = Table(
    "pseudonyms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("identity", Text, nullable=False),  # person:N | phone:+44.. | participant:N
    Column("number", Integer, nullable=False),
    UniqueConstraint("case_id", "identity", name="uq_pseudonyms_case_identity"),
)

unmask_requests = Table(
    "unmask_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("identity", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),  # requested|approved|refused
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_reason", Text, nullable=True),
)

# Which pseudonyms one named recipient of a disclosure (a bundle, an RSMF export) may see by
# real name: proposed by one person, decided by another. An unmasking for the case's own
# reviewers never travels to a recipient; only these rows do, and only for their recipient.
recipient_names = Table(
    "recipient_names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("recipient", Text, nullable=False),  # as typed
    Column("recipient_key", String(200), nullable=False, index=True),  # spaces, case folded
    Column("number", Integer, nullable=False),  # the pseudonym: "Participant 07"
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),  # proposed|approved|refused|revoked
    Column("proposed_by", Text, nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_reason", Text, nullable=True),
)

# Linking a participant to a register person (or removing a link) reveals an identity, so it
# is asked for and decided by someone else, like unmasking.
link_requests = Table(
    "link_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("action", String(8), nullable=False),  # link | unlink
    Column("number", Integer, nullable=True),  # the pseudonym to link (link)
    Column("person_id", ForeignKey("people.id"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),  # requested|approved|refused
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_reason", Text, nullable=True),
)

# Who brought a case into being, and how (``ingest`` or ``web``): a case an ingest created
# may be opened (given its allegation and team) only by that ingest's user.
case_origins = Table(
    "case_origins",
    metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("created_by", Text, nullable=False),
    Column("via", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("finding_id", ForeignKey("findings.id"), nullable=False, index=True),
    Column("decision", String(16), nullable=False),  # relevant|not_relevant|needs_context
    Column("note", Text, nullable=True),
    Column("username", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A finding's latest decision in a case is one probe (0020).
    Index("ix_decisions_finding_case", "finding_id", "case_id", "id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("ts", Text, nullable=False),  # ISO 8601 UTC, exactly as hashed
    Column("username", Text, nullable=False),
    Column("action", String(40), nullable=False, index=True),
    Column("case_id", Integer, nullable=True, index=True),
    Column("object_ids", Text, nullable=False),  # canonical JSON
    Column("justification", Text, nullable=False),
    Column("detail", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# Tag names a force adds to the three every force has (0018_queue_tags).
force_tags = Table(
    "force_tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A tag put on a finding, with the reviewer's comment; removing it keeps the row (0018).
finding_tags = Table(
    "finding_tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("finding_id", ForeignKey("findings.id"), nullable=False, index=True),
    Column("tag", String(40), nullable=False),
    Column("comment", Text, nullable=True),
    Column("username", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_by", Text, nullable=True),
    Column("removed_at", DateTime(timezone=True), nullable=True),
)

# A finding sent to a named member of the case team for a second review (0018).
escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("finding_id", ForeignKey("findings.id"), nullable=False, index=True),
    Column("to_username", String(64), nullable=False, index=True),
    Column("note", Text, nullable=False),
    Column("status", String(16), nullable=False),  # escalated | reviewed
    Column("escalated_by", Text, nullable=False),
    Column("escalated_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("review_decision", String(16), nullable=True),
    Column("review_note", Text, nullable=True),
)

# How far the audit chain was last verified in full, so the auditor's page walks only the
# records since (0020). Triggers on ``audit_events`` bump ``generation`` and clear the mark on
# any UPDATE or DELETE, so an edit to an old record sends the next check back to record 1.
audit_verified = Table(
    "audit_verified",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("through_id", Integer, nullable=False),
    Column("through_hash", String(64), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("verified_at", DateTime(timezone=True), nullable=True),
)
