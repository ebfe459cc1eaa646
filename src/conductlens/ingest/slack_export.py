"""Slack workspace export (admin export or slackdump): a folder or zip of JSON files.

``users.json`` and ``channels.json`` (plus ``groups.json``, ``dms.json``, ``mpims.json``
when present) at the root, and one folder per conversation holding ``YYYY-MM-DD.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, ClassVar

from conductlens.errors import ParseError
from conductlens.ingest._export_files import ExportTree, load_json, raw_json, utc_from_epoch
from conductlens.ingest.base import ParseOptions, Source
from conductlens.model import (
    Attachment,
    Conversation,
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

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_LISTS = ("channels.json", "groups.json", "dms.json", "mpims.json")
_MEMBERSHIP = {
    "channel_join": MembershipKind.JOINED, "group_join": MembershipKind.JOINED,
    "channel_leave": MembershipKind.LEFT, "group_leave": MembershipKind.LEFT,
    "channel_name": MembershipKind.SUBJECT_CHANGED,
    "channel_topic": MembershipKind.DESCRIPTION_CHANGED,
    "channel_purpose": MembershipKind.DESCRIPTION_CHANGED,
}


class SlackExport:
    """Slack workspace export: channels.json + users.json + per-channel day files."""

    name: ClassVar[str] = "slack-export"
    description: ClassVar[str] = "Slack workspace export (folder or zip with channels.json)"

    def sniff(self, source: Source) -> float:
        """High when the folder/zip has users.json, channels.json and day files."""
        if source.kind == "file":
            return 0.0
        root = _root(source.members)
        if root is None:
            return 0.0
        days = any(_DAY.match(PurePosixPath(m).name) for m in source.members)
        return 0.95 if days else 0.6

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream users, conversations and each day's messages in date order."""
        root = _root(source.members) if source.kind != "file" else None
        if root is None:
            raise ParseError(str(source.path), "not a Slack export (no users.json + channels.json)")
        tree = ExportTree(source)
        yield from _users(tree, _join(root, "users.json"))
        for list_name in _LISTS:
            member = _join(root, list_name)
            if tree.exists(member):
                yield from _conversations(tree, root, member, list_name)


def _root(members: tuple[str, ...]) -> str | None:
    """The folder holding users.json and channels.json ("" for the top)."""
    found = {str(PurePosixPath(m).parent) for m in members if m.endswith("users.json")}
    for folder in sorted(found, key=len):
        prefix = "" if folder == "." else folder
        if _join(prefix, "channels.json") in members or _join(prefix, "dms.json") in members:
            return prefix
    return None


def _join(root: str, name: str) -> str:
    return f"{root}/{name}" if root else name


def _users(tree: ExportTree, member: str) -> Iterator[Record]:
    users = load_json(tree, member)
    if not isinstance(users, list):
        raise ParseError(member, "users.json is not a list")
    for user in users:
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            yield ParseIssue(member, None, "user entry without an id", raw_json(user).encode())
            continue
        profile = user["profile"] if isinstance(user.get("profile"), dict) else {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name")
        yield Participant(key=user["id"], name=name if isinstance(name, str) else None,
                          platform_id=user["id"])


def _conversations(tree: ExportTree, root: str, member: str, list_name: str) -> Iterator[Record]:
    chans = load_json(tree, member)
    if not isinstance(chans, list):
        raise ParseError(member, f"{list_name} is not a list")
    for index, chan in enumerate(chans):
        if not isinstance(chan, dict) or not isinstance(chan.get("id"), str):
            yield ParseIssue(member, None, f"entry {index} has no id", raw_json(chan).encode())
            continue
        folder_name: str = chan["name"] if isinstance(chan.get("name"), str) else chan["id"]
        folder = _join(root, folder_name)
        yield Conversation(
            key=chan["id"], platform="slack", title=chan.get("name") or chan["id"],
            is_group=list_name != "dms.json", source=SourceRef(path=member, pointer=f"/{index}"),
        )
        days = sorted(m for m in tree.source.members if _is_day(m, folder))
        for day in days:
            yield from _day(tree, chan["id"], day)


def _is_day(member: str, folder: str) -> bool:
    path = PurePosixPath(member)
    return str(path.parent) == folder and _DAY.match(path.name) is not None


def _day(tree: ExportTree, conversation: str, member: str) -> Iterator[Record]:
    try:
        msgs = load_json(tree, member)
    except ParseError as exc:
        yield ParseIssue(member, exc.line, exc.reason, tree.head(member))
        return
    if not isinstance(msgs, list):
        yield ParseIssue(member, None, "day file is not a list", raw_json(msgs).encode())
        return
    for index, msg in enumerate(msgs):
        yield from _message(conversation, member, index, msg)


def _message(conversation: str, member: str, index: int, msg: object) -> Iterator[Record]:
    src = SourceRef(path=member, pointer=f"/{index}")
    raw = raw_json(msg)
    utc = utc_from_epoch(msg.get("ts")) if isinstance(msg, dict) else None
    if not isinstance(msg, dict) or utc is None or not isinstance(msg.get("text", ""), str):
        yield ParseIssue(member, None, f"message /{index} has no usable ts or text", raw.encode())
        return
    stamp = Timestamp(utc=utc)
    subtype = msg.get("subtype")
    sender = msg.get("user") if isinstance(msg.get("user"), str) else msg.get("bot_id")
    membership = _MEMBERSHIP.get(str(subtype))
    thread = msg.get("thread_ts")
    yield Message(
        conversation=conversation, sender=None if membership else sender, timestamp=stamp,
        kind=_kind(msg, membership), text=msg.get("text", ""), raw=raw, source=src,
        key=str(msg["ts"]), edited=isinstance(msg.get("edited"), dict),
        reply_to=str(thread) if thread is not None and thread != msg["ts"] else None,
        attachments=tuple(_files(msg)),
    )
    if membership is not None:
        detail = msg.get("name") or msg.get("topic") or msg.get("purpose") or subtype
        yield MembershipEvent(conversation, membership, sender, sender, stamp, src, str(detail))
    yield from _reactions(conversation, msg, src)


def _kind(msg: dict[str, Any], membership: MembershipKind | None) -> MessageKind:
    if membership is not None:
        return MessageKind.SYSTEM
    if msg.get("subtype") in ("tombstone", "message_deleted"):
        return MessageKind.DELETED
    return MessageKind.MEDIA if msg.get("files") and not msg.get("text") else MessageKind.TEXT


def _files(msg: dict[str, Any]) -> Iterator[Attachment]:
    for item in msg.get("files") or []:
        if not isinstance(item, dict):
            continue
        size = item.get("size")
        # Slack exports list files but do not contain them (only URLs), so no hash.
        yield Attachment(
            file_name=item.get("name") if isinstance(item.get("name"), str) else None,
            media_type=item.get("mimetype") if isinstance(item.get("mimetype"), str) else None,
            kind="file", size=size if isinstance(size, int) else None,
        )


def _reactions(conversation: str, msg: dict[str, Any], src: SourceRef) -> Iterator[Record]:
    for reaction in msg.get("reactions") or []:
        if not isinstance(reaction, dict) or not isinstance(reaction.get("name"), str):
            continue
        for user in reaction.get("users") or [None]:
            yield Reaction(
                conversation=conversation, message=str(msg["ts"]),
                sender=user if isinstance(user, str) else None,
                emoji=f":{reaction['name']}:", timestamp=Timestamp(), source=src,
            )
