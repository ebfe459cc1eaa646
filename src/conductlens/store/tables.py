"""SQLAlchemy Core tables: the evidence store's schema (migrations live in ``migrations/``)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

exhibits = Table(
    "exhibits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(64), nullable=False, unique=True),
    Column("case_id", ForeignKey("cases.id"), nullable=True, index=True),
    Column("original_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size", Integer, nullable=False),
    Column("format", String(40), nullable=False),
    Column("stored_path", Text, nullable=False),
    Column("added_by", String(120), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("timezone", String(64), nullable=True),
    Column("locale", String(16), nullable=True),
    Column("notes", Text, nullable=True),
)

exhibit_warnings = Table(
    "exhibit_warnings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("text", Text, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("key", Text, nullable=False),
    Column("platform", String(40), nullable=False),
    Column("title", Text, nullable=True),
    Column("is_group", Boolean, nullable=False),
    Column("source", Text, nullable=True),
    UniqueConstraint("exhibit_id", "key"),
)

participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("key", Text, nullable=False),
    Column("name", Text, nullable=True),
    Column("phone", String(32), nullable=True, index=True),
    Column("platform_id", Text, nullable=True),
    Column("is_owner", Boolean, nullable=False, default=False),
    # The account name the exhibit gives them (a Telegram owner's @username), 0023.
    Column("handle", Text, nullable=True),
    UniqueConstraint("exhibit_id", "key"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False),
    Column("conversation_id", ForeignKey("conversations.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("sender_id", ForeignKey("participants.id"), nullable=True, index=True),
    Column("ts_local", DateTime(timezone=False), nullable=True),
    Column("ts_utc", DateTime(timezone=True), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("text_norm", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("edited", Boolean, nullable=False),
    Column("forwarded", Boolean, nullable=False),
    Column("platform_key", Text, nullable=True),
    Column("reply_to_key", Text, nullable=True),
    Column("reply_to_id", Integer, nullable=True),
    Column("src_path", Text, nullable=False),
    Column("src_line", Integer, nullable=True),
    Column("src_line_end", Integer, nullable=True),
    Column("src_offset", Integer, nullable=True),
    Column("src_table", String(64), nullable=True),
    Column("src_row", Text, nullable=True),
    Column("src_pointer", Text, nullable=True),
    Index("ix_messages_exhibit_seq", "exhibit_id", "seq"),
    Index("ix_messages_conversation_seq", "conversation_id", "seq"),
    # Partial: text exports have no message keys, so they cost this index nothing.
    Index(
        "ix_messages_exhibit_key", "exhibit_id", "platform_key",
        sqlite_where=text("platform_key IS NOT NULL"),
        postgresql_where=text("platform_key IS NOT NULL"),
    ),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", ForeignKey("messages.id"), nullable=False, index=True),
    Column("file_name", Text, nullable=True),
    Column("media_type", String(120), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("size", Integer, nullable=True),
    Column("sha256", String(64), nullable=True, index=True),
    Column("omitted", Boolean, nullable=False),
)

media_files = Table(
    "media_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", Integer, nullable=False),
)

reactions = Table(
    "reactions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("conversation_id", ForeignKey("conversations.id"), nullable=False),
    Column("message_key", Text, nullable=False),
    Column("message_id", Integer, nullable=True, index=True),
    Column("sender_id", ForeignKey("participants.id"), nullable=True),
    Column("emoji", Text, nullable=False),
    Column("ts_local", DateTime(timezone=False), nullable=True),
    Column("ts_utc", DateTime(timezone=True), nullable=True),
    Column("source", Text, nullable=False),
)

membership_events = Table(
    "membership_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("conversation_id", ForeignKey("conversations.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor_id", ForeignKey("participants.id"), nullable=True),
    Column("target_id", ForeignKey("participants.id"), nullable=True),
    Column("ts_local", DateTime(timezone=False), nullable=True),
    Column("ts_utc", DateTime(timezone=True), nullable=True),
    Column("detail", Text, nullable=True),
    Column("source", Text, nullable=False),
)

receipts = Table(
    "receipts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("conversation_id", ForeignKey("conversations.id"), nullable=False),
    Column("message_key", Text, nullable=False),
    Column("message_id", Integer, nullable=True, index=True),
    Column("recipient_id", ForeignKey("participants.id"), nullable=True),
    Column("delivered_utc", DateTime(timezone=True), nullable=True),
    Column("read_utc", DateTime(timezone=True), nullable=True),
    Column("played_utc", DateTime(timezone=True), nullable=True),
    Column("source", Text, nullable=False),
)

unparsed = Table(
    "unparsed",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("line", Integer, nullable=True),
    Column("reason", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", ForeignKey("messages.id"), nullable=False, index=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("category", String(64), nullable=False, index=True),
    Column("standards", Text, nullable=False),  # JSON list of Standard names
    Column("severity", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Column("detector", String(120), nullable=False),
    Column("spans", Text, nullable=False),  # JSON [[start, end], ...] into messages.text
    Column("explanation", Text, nullable=False),
    Column("policy_version", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

scan_runs = Table(
    "scan_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("policy_version", String(64), nullable=False),
    Column("case_id", ForeignKey("cases.id"), nullable=True),
    Column("last_message_id", Integer, nullable=False),
    Column("messages_scanned", Integer, nullable=False),
    Column("findings", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
)

# The exhibits a scan run read, each with how far it had been scanned when the run began: the run's
# ``last_message_id`` covers these exhibits only, so an exhibit linked into a case after the
# case was scanned is still scanned, however low its message ids.
scan_scopes = Table(
    "scan_scopes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("scan_runs.id"), nullable=False, index=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("scanned_to", Integer, nullable=False),
    UniqueConstraint("run_id", "exhibit_id", name="uq_scan_scopes_run_exhibit"),
)

# One exhibit may be evidence in several cases (one phone, several inquiries): the link is
# what says an exhibit belongs to a case; ``exhibits.case_id`` keeps the first case.
case_exhibits = Table(
    "case_exhibits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("exhibit_id", ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("added_by", String(120), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "exhibit_id", name="uq_case_exhibits_case_exhibit"),
)

# The same conversation held by two exhibits (a phone database and its text export; several
# members' phones): found at ingest from the messages they share.
conversation_links = Table(
    "conversation_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", ForeignKey("conversations.id"), nullable=False, index=True),
    Column("same_as_id", ForeignKey("conversations.id"), nullable=False, index=True),
    Column("shared", Integer, nullable=False),  # sampled messages found in both
    Column("sampled", Integer, nullable=False),
    UniqueConstraint("conversation_id", "same_as_id", name="uq_conversation_links_pair"),
)

# A message that an earlier exhibit of the same conversation also holds (found at ingest by
# ``store.groups.record_copies``): review shows its finding once, at the first copy, and
# says where else it is; every copy keeps its own row and provenance.
message_copies = Table(
    "message_copies",
    metadata,
    Column("message_id", ForeignKey("messages.id"), primary_key=True),
    Column("first_id", ForeignKey("messages.id"), nullable=False, index=True),
    Column("first_conversation_id", ForeignKey("conversations.id"), nullable=False),
)
