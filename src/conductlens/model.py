"""The canonical evidence model every chat format maps onto.

Parsers yield these records; the store keeps them; detectors and review read them back.
Keys (``Conversation.key``, ``Participant.key``, ``Message.key``) are the parser's own
identifiers, unique within one exhibit; the store turns them into row ids.

The per-message records (``Message``, ``Timestamp``, ``SourceRef``, ``Attachment``) are
``NamedTuple``s rather than frozen dataclasses: equally immutable, but built about ten times
faster, which matters at a million messages per exhibit (see docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class MessageKind(StrEnum):
    """What a message is, independent of platform."""

    TEXT = "text"
    SYSTEM = "system"
    MEDIA = "media"
    DELETED = "deleted"
    CALL = "call"
    LOCATION = "location"
    CONTACT = "contact"
    POLL = "poll"
    STICKER = "sticker"
    OTHER = "other"


class MembershipKind(StrEnum):
    """A change to who is in a group, or to the group itself (evidence of who saw what)."""

    CREATED = "created"
    ADDED = "added"
    REMOVED = "removed"
    LEFT = "left"
    JOINED_BY_LINK = "joined_by_link"
    JOINED = "joined"
    SUBJECT_CHANGED = "subject_changed"
    NUMBER_CHANGED = "number_changed"
    ADMIN_CHANGED = "admin_changed"
    DESCRIPTION_CHANGED = "description_changed"
    ICON_CHANGED = "icon_changed"
    SETTINGS_CHANGED = "settings_changed"
    MEMBER = "member"  # listed in the phone's group member table (a snapshot, not a change)
    PAST_MEMBER = "past_member"  # listed in the phone's table of former members


class SourceRef(NamedTuple):
    """Where a record came from inside its exhibit.

    ``path`` is the member inside an archive or folder ("" for the exhibit file itself).
    Text formats give ``line`` (1-based, first line) and ``line_end``; databases give
    ``table`` and ``row_id``; JSON gives ``pointer`` (a JSON pointer or index path).
    """

    path: str = ""
    line: int | None = None
    line_end: int | None = None
    offset: int | None = None
    table: str | None = None
    row_id: str | None = None
    pointer: str | None = None

    def describe(self) -> str:
        """Human-readable provenance, e.g. ``_chat.txt:12-14`` or ``message#4711``."""
        where = self.path
        if self.line is not None:
            end = f"-{self.line_end}" if self.line_end and self.line_end != self.line else ""
            where = f"{where}:{self.line}{end}"
        if self.table is not None:
            where = f"{where}{'/' if where else ''}{self.table}#{self.row_id}"
        if self.pointer is not None:
            where = f"{where}{self.pointer}"
        if self.offset is not None:
            where = f"{where}@{self.offset}"
        return where


class Timestamp(NamedTuple):
    """A time as the source shows it, and the UTC instant when the zone is known.

    ``local`` is naive wall-clock time exactly as displayed (text exports); ``utc`` is
    timezone-aware UTC (databases and JSON exports that carry epochs). Either may be
    missing; the ingest pipeline fills one from the other when an exhibit time zone is given.
    """

    local: datetime | None = None
    utc: datetime | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    key: str
    platform: str
    title: str | None = None
    is_group: bool = False
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(frozen=True, slots=True)
class Participant:
    """A person as the exhibit shows them. ``phone`` is E.164 when one is known; ``handle``
    is an account name (``@name``) the exhibit gives them, where it gives one."""

    key: str
    name: str | None = None
    phone: str | None = None
    platform_id: str | None = None
    is_owner: bool = False
    handle: str | None = None


class Attachment(NamedTuple):
    """A file a message carried. ``sha256`` is set when the file itself is in the exhibit."""

    file_name: str | None = None
    media_type: str | None = None
    kind: str = "other"
    size: int | None = None
    sha256: str | None = None
    omitted: bool = False


class Message(NamedTuple):
    conversation: str
    sender: str | None
    timestamp: Timestamp
    kind: MessageKind
    text: str
    raw: str
    source: SourceRef
    key: str | None = None
    edited: bool = False
    forwarded: bool = False
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Reaction:
    conversation: str
    message: str
    sender: str | None
    emoji: str
    timestamp: Timestamp
    source: SourceRef


@dataclass(frozen=True, slots=True)
class MembershipEvent:
    conversation: str
    kind: MembershipKind
    actor: str | None
    target: str | None
    timestamp: Timestamp
    source: SourceRef
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the sender's phone recorded about one recipient of one message: when it was
    delivered to them, read and (voice notes, videos) played. Any of the three may be absent."""

    conversation: str
    message: str
    recipient: str
    delivered: Timestamp
    read: Timestamp
    played: Timestamp
    source: SourceRef


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file found inside an archive or export folder, hashed so messages can point to it."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class ParseIssue:
    """Input that could not be understood: kept with its raw bytes, reported with file:line."""

    path: str
    line: int | None
    reason: str
    raw: bytes = b""


@dataclass(frozen=True, slots=True)
class ExhibitWarning:
    """Something a reviewer should know about how the exhibit was read (e.g. date order)."""

    text: str


Record = (
    Conversation
    | Participant
    | Message
    | Reaction
    | Receipt
    | MembershipEvent
    | MediaFile
    | ParseIssue
    | ExhibitWarning
)
