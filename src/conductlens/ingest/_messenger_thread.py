"""One Facebook/Instagram Messenger thread (one or more JSON files) as records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from conductlens.ingest._export_files import ExportTree, raw_json, resolve_relative, utc_from_epoch
from conductlens.model import (
    Attachment,
    Conversation,
    MediaFile,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Reaction,
    Record,
    SourceRef,
    Timestamp,
)

_MEDIA = {
    "photos": "photo", "videos": "video", "files": "file", "gifs": "gif",
    "audio_files": "audio", "media": "media",
}


def repair(value: str) -> str:
    """Undo Facebook's mojibake (UTF-8 bytes written as Latin-1 escapes) when it round-trips."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


@dataclass
class Thread:
    """A thread's files after loading: (member, index in file, message object)."""

    key: str
    folder: str
    title: str | None
    participants: list[str]
    entries: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)


def thread_header(key: str, folder: str, doc: dict[str, Any]) -> Thread:
    """Title and participant names from the first file of a thread (either layout)."""
    names: list[str] = []
    for item in doc.get("participants") or []:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str):
            names.append(repair(name))
    title = doc.get("title", doc.get("threadName"))
    return Thread(key, folder, repair(title) if isinstance(title, str) else None, names)


def thread_records(tree: ExportTree, thread: Thread, hashed: set[str]) -> Iterator[Record]:
    """Conversation, participants and messages, oldest first across all files."""
    yield Conversation(
        key=thread.key, platform="messenger", title=thread.title,
        is_group=len(thread.participants) > 2, source=SourceRef(path=thread.folder),
    )
    for name in thread.participants:
        yield Participant(key=name, name=name)
    ordered = sorted(thread.entries, key=lambda e: _millis(e[2]))
    for seq, (member, index, msg) in enumerate(ordered, start=1):
        yield from _message(tree, thread, f"{thread.key}#{seq}", member, index, msg, hashed)


def _millis(msg: dict[str, Any]) -> float:
    value = msg.get("timestamp_ms", msg.get("timestamp"))
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _message(
    tree: ExportTree, thread: Thread, key: str, member: str, index: int,
    msg: dict[str, Any], hashed: set[str],
) -> Iterator[Record]:
    pointer = f"/messages/{index}"
    utc = utc_from_epoch(msg.get("timestamp_ms", msg.get("timestamp")), 1000)
    sender = msg.get("sender_name", msg.get("senderName"))
    if utc is None or not isinstance(sender, str):
        why = "no usable timestamp_ms" if utc is None else "no sender_name"
        yield ParseIssue(path=f"{member}{pointer}", line=None, reason=why,
                         raw=raw_json(msg).encode("utf-8"))
        return
    sender = repair(sender)
    stamp, src = Timestamp(utc=utc), SourceRef(path=member, pointer=pointer)
    attachments: list[Attachment] = []
    for att, media in _attachments(tree, thread.folder, msg, hashed):
        attachments.append(att)
        if media is not None:
            yield media
    kind = _kind(msg, attachments)
    system = kind is MessageKind.SYSTEM
    yield Message(
        conversation=thread.key, sender=None if system else sender, timestamp=stamp,
        kind=kind, text=_text(msg), raw=raw_json(msg), source=src, key=key,
        attachments=tuple(attachments),
    )
    yield from _membership(thread.key, msg, sender, stamp, src)
    for reaction in msg.get("reactions") or []:
        if isinstance(reaction, dict) and isinstance(reaction.get("reaction"), str):
            actor = reaction.get("actor")
            yield Reaction(
                conversation=thread.key, message=key,
                sender=repair(actor) if isinstance(actor, str) else None,
                emoji=repair(reaction["reaction"]), timestamp=Timestamp(), source=src,
            )


def _text(msg: dict[str, Any]) -> str:
    content = msg.get("content", msg.get("text"))
    if isinstance(content, str):
        return repair(content)
    share = msg.get("share")
    if isinstance(share, dict):
        # A share without a caption: its link is the message's only visible content.
        parts = [share.get("share_text"), share.get("link")]
        return "\n".join(repair(p) for p in parts if isinstance(p, str) and p)
    return ""


def _kind(msg: dict[str, Any], attachments: list[Attachment]) -> MessageKind:
    if msg.get("is_unsent") is True or msg.get("isUnsent") is True:
        return MessageKind.DELETED
    if msg.get("type") in ("Unsubscribe", "Subscribe"):
        return MessageKind.SYSTEM
    if msg.get("type") == "Call" or "call_duration" in msg:
        return MessageKind.CALL
    if "sticker" in msg:
        return MessageKind.STICKER
    return MessageKind.MEDIA if attachments else MessageKind.TEXT


def _membership(
    conversation: str, msg: dict[str, Any], sender: str, stamp: Timestamp, src: SourceRef
) -> Iterator[MembershipEvent]:
    kind = msg.get("type")
    if kind == "Unsubscribe":
        yield MembershipEvent(conversation, MembershipKind.LEFT, sender, sender, stamp, src,
                              detail=_text(msg) or None)
    elif kind == "Subscribe":
        users = msg.get("users") or [{}]
        for user in users:
            name = user.get("name") if isinstance(user, dict) else None
            target = repair(name) if isinstance(name, str) else None
            yield MembershipEvent(conversation, MembershipKind.ADDED, sender, target, stamp, src,
                                  detail=_text(msg) or None)


def _attachments(
    tree: ExportTree, folder: str, msg: dict[str, Any], hashed: set[str]
) -> Iterator[tuple[Attachment, MediaFile | None]]:
    items: list[tuple[str, Any]] = [(k, v) for k in _MEDIA for v in (msg.get(k) or [])]
    if isinstance(msg.get("sticker"), dict):
        items.append(("sticker", msg["sticker"]))
    for field_name, item in items:
        uri = item.get("uri") if isinstance(item, dict) else None
        kind = _MEDIA.get(field_name, field_name)
        if not isinstance(uri, str):
            yield Attachment(kind=kind), None
            continue
        name = PurePosixPath(uri).name
        member = resolve_relative(tree, folder, uri) if tree.source.kind != "file" else None
        if member is None:
            yield Attachment(file_name=name, kind=kind), None
            continue
        sha, size = tree.hash(member)
        media = None if member in hashed else MediaFile(path=member, sha256=sha, size=size)
        hashed.add(member)
        yield Attachment(file_name=name, kind=kind, size=size, sha256=sha), media
