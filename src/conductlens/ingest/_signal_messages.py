"""One row of Signal Desktop's ``messages`` table (its ``json`` column) as records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from conductlens.ingest._export_files import ExportTree, utc_from_epoch
from conductlens.model import (
    Attachment,
    MediaFile,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    ParseIssue,
    Reaction,
    Record,
    SourceRef,
    Timestamp,
)

_GROUP_CHANGES = {
    "create": MembershipKind.CREATED,
    "member-add": MembershipKind.ADDED,
    "member-add-from-invite": MembershipKind.JOINED,
    "member-add-from-link": MembershipKind.JOINED_BY_LINK,
    "member-add-from-admin-approval": MembershipKind.JOINED,
    "member-remove": MembershipKind.REMOVED,
    "title": MembershipKind.SUBJECT_CHANGED,
    "avatar": MembershipKind.ICON_CHANGED,
    "description": MembershipKind.DESCRIPTION_CHANGED,
    "member-privilege": MembershipKind.ADMIN_CHANGED,
}
_SYSTEM_TYPES = {
    "group-v2-change", "group-v1-migration", "keychange", "verified-change", "profile-change",
    "change-number-notification", "timer-notification", "universal-timer-notification",
    "chat-session-refreshed", "delivery-issue", "conversation-merge", "phone-number-discovery",
    "message-request-response-event", "contact-removed-notification",
    "title-transition-notification",
    "joined-signal-notification", "group",
}


@dataclass
class SignalContext:
    """Lookups shared by every row: who is who, where attachments live."""

    db: sqlite3.Connection
    db_member: str
    tree: ExportTree
    attachments_dir: str | None
    people: dict[str, str]  # serviceId / e164 / conversation id -> participant key
    owner: str | None
    hashed: set[str] = field(default_factory=set)

    def person(self, *ids: object) -> str | None:
        for value in ids:
            if isinstance(value, str) and value in self.people:
                return self.people[value]
        for value in ids:
            if isinstance(value, str) and value:
                return value
        return None


def convert_row(row_id: int, text: str | None, ctx: SignalContext) -> Iterator[Record]:
    """Records for one ``messages`` row, or a ParseIssue when its JSON is unusable."""
    src = SourceRef(path=ctx.db_member, table="messages", row_id=str(row_id))
    try:
        msg = json.loads(text or "")
    except (json.JSONDecodeError, RecursionError):
        msg = None
    utc = utc_from_epoch(msg.get("sent_at", msg.get("timestamp")), 1000) if isinstance(
        msg, dict) else None
    if not isinstance(msg, dict) or utc is None or not isinstance(msg.get("conversationId"), str):
        yield ParseIssue(path=f"{ctx.db_member}#messages/{row_id}", line=None,
                         reason="message json unreadable or without sent_at/conversationId",
                         raw=(text or "").encode("utf-8"))
        return
    yield from _records(msg, text or "", Timestamp(utc=utc), src, ctx)


def _records(
    msg: dict[str, Any], raw: str, stamp: Timestamp, src: SourceRef, ctx: SignalContext
) -> Iterator[Record]:
    kind_name = str(msg.get("type") or "")
    conversation = msg["conversationId"]
    attachments: list[Attachment] = []
    for att, media in _attachments(msg, ctx):
        attachments.append(att)
        if media is not None:
            yield media
    sender = _sender(msg, kind_name, ctx)
    kind = _kind(msg, kind_name, attachments)
    body = msg.get("body")
    if kind is MessageKind.CALL and not body:
        body, sender = _call(msg, ctx)
    yield Message(
        conversation=conversation, sender=None if kind is MessageKind.SYSTEM else sender,
        timestamp=stamp, kind=kind, text=body if isinstance(body, str) else "", raw=raw,
        source=src, key=str(msg.get("id") or src.row_id),
        edited=bool(msg.get("editHistory")) or "editMessageTimestamp" in msg,
        reply_to=_quoted(msg, conversation, ctx), attachments=tuple(attachments),
    )
    yield from _group_change(msg, conversation, stamp, src, ctx)
    for reaction in msg.get("reactions") or []:
        if isinstance(reaction, dict) and isinstance(reaction.get("emoji"), str):
            when = utc_from_epoch(reaction.get("timestamp"), 1000)
            yield Reaction(
                conversation=conversation, message=str(msg.get("id")),
                sender=ctx.person(reaction.get("fromId")), emoji=reaction["emoji"],
                timestamp=Timestamp(utc=when), source=src,
            )


def _sender(msg: dict[str, Any], kind_name: str, ctx: SignalContext) -> str | None:
    if kind_name == "outgoing":
        return ctx.owner
    if kind_name == "call-history":
        return None
    return ctx.person(msg.get("sourceServiceId"), msg.get("sourceUuid"), msg.get("source"))


def _call(msg: dict[str, Any], ctx: SignalContext) -> tuple[str, str | None]:
    """Describe a call row from ``callsHistory`` (the message row itself has no text)."""
    try:
        row = ctx.db.execute(
            "SELECT type, direction, status FROM callsHistory WHERE callId = ? LIMIT 1",
            (msg.get("callId"),),
        ).fetchone()
    except sqlite3.Error:  # older databases have no callsHistory table
        row = None
    if row is None:
        return "", None
    call_type, direction, status = (str(v) for v in row)
    sender = ctx.owner if direction == "Outgoing" else None
    return f"{call_type} call, {direction.lower()}, {status.lower()}", sender


def _kind(msg: dict[str, Any], kind_name: str, attachments: list[Attachment]) -> MessageKind:
    if msg.get("deletedForEveryone") or msg.get("isErased"):
        return MessageKind.DELETED
    if kind_name == "call-history" or msg.get("callId"):
        return MessageKind.CALL
    if kind_name in _SYSTEM_TYPES:
        return MessageKind.SYSTEM
    if kind_name not in ("incoming", "outgoing"):
        return MessageKind.OTHER
    if msg.get("sticker"):
        return MessageKind.STICKER
    if msg.get("contact"):
        return MessageKind.CONTACT
    if attachments and not msg.get("body"):
        return MessageKind.MEDIA
    return MessageKind.MEDIA if attachments else MessageKind.TEXT


def _quoted(msg: dict[str, Any], conversation: str, ctx: SignalContext) -> str | None:
    """A quote names the original by its sent timestamp; find that message's id."""
    quote = msg.get("quote")
    if not isinstance(quote, dict) or not isinstance(quote.get("id"), int):
        return None
    row = ctx.db.execute(
        "SELECT id FROM messages WHERE conversationId = ? AND sent_at = ? LIMIT 1",
        (conversation, quote["id"]),
    ).fetchone()
    return str(row[0]) if row else None


def _group_change(
    msg: dict[str, Any], conversation: str, stamp: Timestamp, src: SourceRef, ctx: SignalContext
) -> Iterator[MembershipEvent]:
    change = msg.get("groupV2Change")
    if not isinstance(change, dict):
        return
    actor = ctx.person(change.get("from"))
    for detail in change.get("details") or []:
        if not isinstance(detail, dict) or detail.get("type") not in _GROUP_CHANGES:
            continue
        kind = _GROUP_CHANGES[detail["type"]]
        target = ctx.person(detail.get("aci"), detail.get("uuid"))
        if kind is MembershipKind.REMOVED and target is not None and target == actor:
            kind = MembershipKind.LEFT
        note = detail.get("newTitle") or detail.get("description") or detail["type"]
        yield MembershipEvent(conversation, kind, actor, target, stamp, src, str(note))


def _attachments(
    msg: dict[str, Any], ctx: SignalContext
) -> Iterator[tuple[Attachment, MediaFile | None]]:
    for item in msg.get("attachments") or []:
        if not isinstance(item, dict):
            continue
        mime = item.get("contentType") if isinstance(item.get("contentType"), str) else None
        kind = mime.split("/")[0] if mime else "file"
        name = item.get("fileName") if isinstance(item.get("fileName"), str) else None
        path = item.get("path")
        member = f"{ctx.attachments_dir}/{path}" if ctx.attachments_dir and isinstance(
            path, str) else None
        if member is None or ".." in member.split("/") or not ctx.tree.exists(member):
            size = item.get("size") if isinstance(item.get("size"), int) else None
            yield Attachment(file_name=name or _base(path), media_type=mime, kind=kind,
                             size=size), None
            continue
        sha, size = ctx.tree.hash(member)
        media = None if member in ctx.hashed else MediaFile(path=member, sha256=sha, size=size)
        ctx.hashed.add(member)
        yield Attachment(file_name=name or _base(path), media_type=mime, kind=kind, size=size,
                         sha256=sha), media


def _base(path: object) -> str | None:
    return path.rsplit("/", 1)[-1] if isinstance(path, str) else None
