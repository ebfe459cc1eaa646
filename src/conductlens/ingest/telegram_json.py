"""Telegram Desktop "Export chat history" / "Export Telegram data" in machine-readable JSON.

Reads a single-chat ``result.json`` (top-level ``messages``), a full export (``chats.list``
and ``left_chats.list``), the folder around it (media are hashed) or a zip of that folder.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, ClassVar

from conductlens.errors import ParseError
from conductlens.ingest._export_files import ExportTree, e164, head_text, load_json
from conductlens.ingest._telegram_messages import ChatContext, convert, participant_key
from conductlens.ingest.base import ParseOptions, Source
from conductlens.model import Conversation, ParseIssue, Participant, Record, SourceRef

_TYPE = re.compile(r'"type"\s*:\s*"(message|service)"')
_TELEGRAM_KEYS = re.compile(r'"(date_unixtime|from_id|actor_id|text_entities)"\s*:')
_GROUP_TYPES = ("group", "supergroup", "channel")


class TelegramJson:
    """Telegram Desktop JSON export (single chat or full account export)."""

    name: ClassVar[str] = "telegram-json"
    description: ClassVar[str] = "Telegram Desktop JSON export (result.json, folder or zip)"

    def sniff(self, source: Source) -> float:
        """High when the JSON looks like Telegram's: typed messages with Telegram's keys."""
        if source.kind == "file":
            return _sniff_head(head_text(source))
        member = _result_member(source.members)
        if member is None:
            return 0.0
        try:
            head = ExportTree(source).head(member).decode("utf-8", "ignore")
        except (OSError, ParseError, zipfile.BadZipFile):
            return 0.0
        return _sniff_head(head)

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream conversations, participants, messages, reactions and membership events."""
        tree = ExportTree(source)
        member = "" if source.kind == "file" else _result_member(source.members)
        if member is None:
            raise ParseError(str(source.path), "no result.json found in the Telegram export")
        top = load_json(tree, member)
        chats = _chats(top, member or str(source.path))
        names = _names(chats)
        yield from _owner(top)
        phones = _contact_phones(top)
        for name, key in names.items():
            yield Participant(key=key, name=name, platform_id=_platform_id(key),
                              phone=e164(phones.get(name)))
        base = str(PurePosixPath(member).parent) if member else ""
        hashed: set[str] = set()
        for pointer, chat in chats:
            yield from _chat(tree, (member, base, pointer), chat, names, hashed)


def _sniff_head(head: str) -> float:
    if '"messages"' not in head or not _TYPE.search(head):
        return 0.0
    if '"timestamp_ms"' in head or '"sender_name"' in head:
        return 0.0  # Messenger's keys: never steal its files
    return 0.9 if _TELEGRAM_KEYS.search(head) or '"chats"' in head else 0.6


def _result_member(members: tuple[str, ...]) -> str | None:
    found = [m for m in members if PurePosixPath(m).name == "result.json"]
    return min(found, key=lambda m: (m.count("/"), m)) if found else None


def _chats(top: object, where: str) -> list[tuple[str, dict[str, Any]]]:
    """(JSON pointer, chat object) for every chat in the document."""
    if not isinstance(top, dict):
        raise ParseError(where, "not a Telegram export (top level is not a JSON object)")
    if isinstance(top.get("messages"), list):
        return [("", top)]
    found: list[tuple[str, dict[str, Any]]] = []
    for section in ("chats", "left_chats"):
        block = top.get(section)
        chats = block.get("list") if isinstance(block, dict) else None
        if isinstance(chats, list):
            found += [
                (f"/{section}/list/{i}", c) for i, c in enumerate(chats) if isinstance(c, dict)
            ]
    if not found and "chats" not in top:
        raise ParseError(where, "not a Telegram export (no 'messages' or 'chats' list)")
    return found


def _names(chats: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """Display name -> participant key, so service 'members' (names only) find their ids."""
    names: dict[str, str] = {}
    members: set[str] = set()
    for _, chat in chats:
        for msg in chat.get("messages") or []:
            if not isinstance(msg, dict):
                continue
            for id_key, name_key in (("from_id", "from"), ("actor_id", "actor")):
                name, raw_id = msg.get(name_key), msg.get(id_key)
                key = participant_key(raw_id, name)
                if isinstance(name, str) and name and key and not key.startswith("name:"):
                    names.setdefault(name, key)
            if isinstance(msg.get("members"), list):
                members.update(m for m in msg["members"] if isinstance(m, str) and m)
    for name in sorted(members - names.keys()):
        names[name] = f"name:{name}"
    return names


def _contact_phones(top: object) -> dict[str, str]:
    """Full name -> phone from the account's synced contacts (full exports only)."""
    block = top.get("contacts") if isinstance(top, dict) else None
    entries = block.get("list") if isinstance(block, dict) else None
    phones: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("phone_number"), str):
            continue
        name = f"{entry.get('first_name') or ''} {entry.get('last_name') or ''}".strip()
        phones.setdefault(name, entry["phone_number"])
    return phones


def _platform_id(key: str) -> str | None:
    return None if key.startswith("name:") else key


def _owner(top: object) -> Iterator[Record]:
    info = top.get("personal_information") if isinstance(top, dict) else None
    if not isinstance(info, dict) or not isinstance(info.get("user_id"), int):
        return
    first, last = info.get("first_name") or "", info.get("last_name") or ""
    name = f"{first} {last}".strip() or None
    phone, handle = info.get("phone_number"), info.get("username")
    yield Participant(
        key=f"user{info['user_id']}", name=name, is_owner=True,
        phone=e164(phone) if isinstance(phone, str) else None,
        platform_id=f"user{info['user_id']}",
        handle=(handle.strip() or None) if isinstance(handle, str) else None,
    )


def _chat(
    tree: ExportTree, where: tuple[str, str, str], chat: dict[str, Any],
    names: dict[str, str], hashed: set[str],
) -> Iterator[Record]:
    member, base, pointer = where
    messages = chat.get("messages")
    key = f"chat{chat['id']}" if isinstance(chat.get("id"), int) else f"chat{pointer or '0'}"
    if not isinstance(messages, list):
        yield ParseIssue(
            path=f"{member}{pointer}", line=None, reason="chat has no 'messages' list",
            raw=str(chat.get("name", "")).encode("utf-8"),
        )
        return
    kind = str(chat.get("type") or "")
    title = chat.get("name") if isinstance(chat.get("name"), str) else None
    yield Conversation(
        key=key, platform="telegram", title=title,
        is_group=any(t in kind for t in _GROUP_TYPES),
        source=SourceRef(path=member, pointer=pointer or "/"),
    )
    ctx = ChatContext(
        tree=tree, member=member, base=base, conversation=key, pointer=pointer,
        names=names, seen=set(names.values()), hashed=hashed,
    )
    for index, msg in enumerate(messages):
        yield from convert(msg, index, ctx)
