"""One Telegram Desktop export message (a JSON object) as ConductLens records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from conductlens.ingest._export_files import ExportTree, raw_json, utc_from_epoch
from conductlens.ingest._telegram_service import service_events, service_text
from conductlens.model import (
    Attachment,
    MediaFile,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Reaction,
    Record,
    SourceRef,
    Timestamp,
)

# Telegram writes these instead of a path when media was not downloaded.
_NOT_INCLUDED = ("(File not included", "(File unavailable", "(File exceeds maximum size")
_MEDIA_FIELDS = ("photo", "file", "contact_vcard")
_STICKERS = {"sticker", "animated_sticker"}


def participant_key(raw_id: object, name: object) -> str | None:
    """A stable key: ``user123`` ids as given, old integer ids as ``user<n>``, else the name."""
    if isinstance(raw_id, str) and raw_id:
        return raw_id
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        return f"user{raw_id}"
    if isinstance(name, str) and name:
        return f"name:{name}"
    return None


@dataclass
class ChatContext:
    """What a message needs to know about its chat and the export around it."""

    tree: ExportTree
    member: str  # the JSON file inside the exhibit ("" when the exhibit is the file)
    base: str  # folder that media paths are relative to
    conversation: str
    pointer: str
    names: dict[str, str]  # display name -> participant key, from the whole export
    seen: set[str] = field(default_factory=set)
    hashed: set[str] = field(default_factory=set)


def timestamp(msg: dict[str, Any], prefix: str = "date") -> Timestamp | None:
    """Both halves when present: ``date`` (exporter's wall clock) and ``date_unixtime``."""
    local: datetime | None = None
    shown = msg.get(prefix)
    if isinstance(shown, str):
        try:
            local = datetime.fromisoformat(shown)
        except ValueError:
            local = None
        if local is not None and local.tzinfo is not None:
            local = None
    utc = utc_from_epoch(msg[f"{prefix}_unixtime"]) if f"{prefix}_unixtime" in msg else None
    if local is None and utc is None:
        return None
    return Timestamp(local=local, utc=utc)


def join_text(value: object) -> str | None:
    """The message text: a string, or the parts of an entity array joined exactly."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return None
    parts: list[str] = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            parts.append(part["text"])
        else:
            return None
    return "".join(parts)


def is_edited(msg: dict[str, Any]) -> bool:
    """Old exports write ``edited`` as the Unix epoch in local time when never edited."""
    stamp = msg.get("edited_unixtime")
    if stamp is not None:
        return str(stamp) not in ("", "0")
    shown = msg.get("edited")
    return isinstance(shown, str) and not shown.startswith("1970-01-01")


def convert(msg: object, index: int, ctx: ChatContext) -> Iterator[Record]:
    """Records for one entry of a chat's ``messages`` array."""
    pointer = f"{ctx.pointer}/messages/{index}"
    raw = raw_json(msg)
    if not isinstance(msg, dict):
        yield _issue(ctx, pointer, "message is not a JSON object", raw)
        return
    kind = msg.get("type")
    text = join_text(msg.get("text", ""))
    stamp = timestamp(msg)
    if kind not in ("message", "service") or text is None or stamp is None:
        why = "unknown message type" if kind not in ("message", "service") else (
            "text is neither a string nor an entity array" if text is None else "no usable date"
        )
        yield _issue(ctx, pointer, f"{why} at {pointer}", raw)
        return
    src = SourceRef(path=ctx.member, pointer=pointer)
    if kind == "service":
        yield from _service(msg, text, stamp, src, raw, ctx)
    else:
        yield from _message(msg, text, stamp, src, raw, ctx)
    yield from _reactions(msg, src, ctx)


def _who(ctx: ChatContext, raw_id: object, name: object) -> Iterator[Record]:
    key = participant_key(raw_id, name)
    if key is not None and key not in ctx.seen:
        ctx.seen.add(key)
        yield Participant(key=key, name=name if isinstance(name, str) else None, platform_id=key)


def _message(
    msg: dict[str, Any], text: str, stamp: Timestamp, src: SourceRef, raw: str, ctx: ChatContext
) -> Iterator[Record]:
    yield from _who(ctx, msg.get("from_id"), msg.get("from"))
    attachments: list[Attachment] = []
    for name in _MEDIA_FIELDS:
        if isinstance(msg.get(name), str):
            att, media = _attachment(msg, name, ctx)
            attachments.append(att)
            if media is not None:
                yield media
    reply = msg.get("reply_to_message_id")
    yield Message(
        conversation=ctx.conversation,
        sender=participant_key(msg.get("from_id"), msg.get("from")),
        timestamp=stamp, kind=_kind(msg, attachments), text=text, raw=raw, source=src,
        key=str(msg["id"]) if "id" in msg else None, edited=is_edited(msg),
        forwarded="forwarded_from" in msg,
        reply_to=str(reply) if isinstance(reply, int | str) else None,
        attachments=tuple(attachments),
    )


def _kind(msg: dict[str, Any], attachments: list[Attachment]) -> MessageKind:
    if msg.get("media_type") in _STICKERS:
        return MessageKind.STICKER
    if "location_information" in msg:
        return MessageKind.LOCATION
    if "contact_information" in msg:
        return MessageKind.CONTACT
    if "poll" in msg or "todo_list" in msg:
        return MessageKind.POLL
    return MessageKind.MEDIA if attachments else MessageKind.TEXT


def _attachment(
    msg: dict[str, Any], field_name: str, ctx: ChatContext
) -> tuple[Attachment, MediaFile | None]:
    value: str = msg[field_name]
    kind = str(msg.get("media_type") or field_name)
    mime = msg.get("mime_type") if isinstance(msg.get("mime_type"), str) else None
    if field_name == "contact_vcard":
        kind, mime = "contact", "text/vcard"
    if value.startswith(_NOT_INCLUDED):
        name = msg.get("file_name") if isinstance(msg.get("file_name"), str) else None
        return Attachment(file_name=name, media_type=mime, kind=kind, omitted=True), None
    member = _member_for(ctx, value)
    file_name = PurePosixPath(value).name
    if member is None:
        return Attachment(file_name=file_name, media_type=mime, kind=kind), None
    sha, size = ctx.tree.hash(member)
    media = None
    if member not in ctx.hashed:
        ctx.hashed.add(member)
        media = MediaFile(path=member, sha256=sha, size=size)
    return Attachment(file_name=file_name, media_type=mime, kind=kind, size=size, sha256=sha), media


def _member_for(ctx: ChatContext, relative: str) -> str | None:
    if ctx.tree.source.kind == "file":
        return None
    candidate = (PurePosixPath(ctx.base) / relative).as_posix().removeprefix("./")
    if ".." in PurePosixPath(relative).parts or not ctx.tree.exists(candidate):
        return None
    return candidate


def _service(
    msg: dict[str, Any], text: str, stamp: Timestamp, src: SourceRef, raw: str, ctx: ChatContext
) -> Iterator[Record]:
    actor = participant_key(msg.get("actor_id"), msg.get("actor"))
    yield from _who(ctx, msg.get("actor_id"), msg.get("actor"))
    is_call = msg.get("action") == "phone_call" or msg.get("action") == "group_call"
    yield Message(
        conversation=ctx.conversation, sender=actor if is_call else None, timestamp=stamp,
        kind=MessageKind.CALL if is_call else MessageKind.SYSTEM,
        text=text or service_text(msg), raw=raw, source=src,
        key=str(msg["id"]) if "id" in msg else None,
    )
    yield from service_events(msg, actor, stamp, src, ctx.conversation, ctx.names)


def _reactions(msg: dict[str, Any], src: SourceRef, ctx: ChatContext) -> Iterator[Record]:
    reactions = msg.get("reactions")
    if reactions is None or "id" not in msg:
        return
    if not isinstance(reactions, list):
        yield _issue(ctx, src.pointer or "", "reactions is not a list", raw_json(reactions))
        return
    for reaction in reactions:
        if not isinstance(reaction, dict):
            yield _issue(ctx, src.pointer or "", "reaction is not an object", raw_json(reaction))
            continue
        emoji = str(reaction.get("emoji") or reaction.get("document_id") or "?")
        recent = reaction.get("recent")
        people = recent if isinstance(recent, list) and recent else [{}]
        for person in people:
            person = person if isinstance(person, dict) else {}
            yield from _who(ctx, person.get("from_id"), person.get("from"))
            yield Reaction(
                conversation=ctx.conversation, message=str(msg["id"]),
                sender=participant_key(person.get("from_id"), person.get("from")),
                emoji=emoji, timestamp=timestamp(person) or Timestamp(), source=src,
            )


def _issue(ctx: ChatContext, pointer: str, reason: str, raw: str) -> ParseIssue:
    return ParseIssue(
        path=f"{ctx.member}{pointer}", line=None, reason=reason, raw=raw.encode("utf-8")
    )
