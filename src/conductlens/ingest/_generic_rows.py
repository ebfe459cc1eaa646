"""One row of the generic table format (CSV row or JSONL object) as records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from conductlens.ingest._export_files import e164
from conductlens.model import (
    Attachment,
    Conversation,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Record,
    SourceRef,
    Timestamp,
)

REQUIRED = ("conversation", "timestamp", "sender", "text")
OPTIONAL = ("kind", "sender_phone", "message_id", "reply_to", "attachment", "edited")
KNOWN = frozenset(REQUIRED + OPTIONAL)
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"", "0", "false", "no", "n"}


class RowError(ValueError):
    """A row that cannot become a message; the caller records a ParseIssue."""


def header_matches(keys: list[str]) -> bool:
    """True for exactly our columns: all required ones, nothing unknown."""
    names = {str(k).strip() for k in keys}
    return set(REQUIRED) <= names <= KNOWN


@dataclass
class RowContext:
    """Conversations and participants already yielded (so each appears once)."""

    conversations: set[str] = field(default_factory=set)
    participants: dict[str, str | None] = field(default_factory=dict)


def row_records(
    row: Mapping[str, object], raw: str, line: int, line_end: int, ctx: RowContext
) -> Iterator[Record]:
    """Records for one row, or a ParseIssue naming the line and the fault."""
    try:
        message = _message(row, raw, SourceRef(line=line, line_end=line_end))
    except RowError as exc:
        yield ParseIssue(path="", line=line, reason=str(exc), raw=raw.encode("utf-8"))
        return
    if message.conversation not in ctx.conversations:
        ctx.conversations.add(message.conversation)
        yield Conversation(key=message.conversation, platform="generic",
                           title=message.conversation)
    if message.sender is not None:
        phone = e164(_text(row, "sender_phone") or None)
        if message.sender not in ctx.participants or (phone and not ctx.participants[
                message.sender]):
            ctx.participants[message.sender] = phone
            yield Participant(key=message.sender, name=message.sender, phone=phone)
    yield message


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str | int | float):
        raise RowError(f"{key} must be a string, not {type(value).__name__}")
    return str(value)


def _message(row: Mapping[str, object], raw: str, src: SourceRef) -> Message:
    conversation = _text(row, "conversation")
    if not conversation:
        raise RowError("conversation is empty")
    sender = _text(row, "sender") or None
    return Message(
        conversation=conversation, sender=sender,
        timestamp=parse_timestamp(_text(row, "timestamp")),
        kind=_kind(_text(row, "kind"), sender), text=_text(row, "text"), raw=raw, source=src,
        key=_text(row, "message_id") or None, edited=_flag(_text(row, "edited")),
        reply_to=_text(row, "reply_to") or None,
        attachments=tuple(
            Attachment(file_name=name.strip(), kind="file")
            for name in _text(row, "attachment").split(";") if name.strip()
        ),
    )


def parse_timestamp(value: str) -> Timestamp:
    """ISO 8601; with an offset both halves are known, without it only the local time."""
    try:
        shown = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise RowError(f"timestamp {value!r} is not ISO 8601") from exc
    if shown.tzinfo is None:
        return Timestamp(local=shown)
    return Timestamp(local=shown.replace(tzinfo=None), utc=shown.astimezone(UTC))


def _kind(value: str, sender: str | None) -> MessageKind:
    if not value:
        return MessageKind.TEXT if sender else MessageKind.SYSTEM
    try:
        return MessageKind(value.strip().lower())
    except ValueError as exc:
        known = ", ".join(k.value for k in MessageKind)
        raise RowError(f"kind {value!r} is not one of {known}") from exc


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RowError(f"edited {value!r} is not true/false")
