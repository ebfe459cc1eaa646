"""Telegram service messages (``type: "service"``): their text and membership events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conductlens.model import MembershipEvent, MembershipKind, SourceRef, Timestamp

# action -> (kind, field holding the detail); membership actions with members are below.
_SIMPLE: dict[str, tuple[MembershipKind, str | None]] = {
    "create_group": (MembershipKind.CREATED, "title"),
    "create_channel": (MembershipKind.CREATED, "title"),
    "edit_group_title": (MembershipKind.SUBJECT_CHANGED, "title"),
    "edit_group_photo": (MembershipKind.ICON_CHANGED, "photo"),
    "delete_group_photo": (MembershipKind.ICON_CHANGED, None),
    "migrate_to_supergroup": (MembershipKind.SETTINGS_CHANGED, None),
    "migrate_from_group": (MembershipKind.SETTINGS_CHANGED, "title"),
    "set_messages_ttl": (MembershipKind.SETTINGS_CHANGED, "period"),
    "join_group_by_link": (MembershipKind.JOINED_BY_LINK, "inviter"),
    "join_group_by_request": (MembershipKind.JOINED, None),
}


def service_text(msg: dict[str, Any]) -> str:
    """A readable line for a service message whose own ``text`` is empty.

    Telegram leaves ``text`` empty and puts the meaning in fields; we describe the action
    so a reviewer sees it (the raw JSON is kept beside it).
    """
    actor = msg.get("actor") or "(unknown)"
    action = str(msg.get("action") or "service")
    parts = [f"{actor}: {action.replace('_', ' ')}"]
    title = msg.get("title")
    if isinstance(title, str) and title:
        parts.append(f'"{title}"')
    members = msg.get("members")
    if isinstance(members, list) and members:
        parts.append("(" + ", ".join(str(m) if m else "(deleted account)" for m in members) + ")")
    for key in ("duration_seconds", "discard_reason", "inviter"):
        if msg.get(key) is not None:
            parts.append(f"{key.replace('_', ' ')}: {msg[key]}")
    return " ".join(parts)


def service_events(
    msg: dict[str, Any], actor: str | None, stamp: Timestamp, src: SourceRef,
    conversation: str, names: dict[str, str],
) -> Iterator[MembershipEvent]:
    """Membership events a service message records (none for pins, calls, etc.)."""
    action = msg.get("action")
    if not isinstance(action, str):
        return

    def event(kind: MembershipKind, target: str | None, detail: str | None) -> MembershipEvent:
        return MembershipEvent(
            conversation=conversation, kind=kind, actor=actor, target=target,
            timestamp=stamp, source=src, detail=detail,
        )

    if action in _SIMPLE:
        kind, detail_field = _SIMPLE[action]
        detail = msg.get(detail_field) if detail_field else action
        target = actor if kind in (MembershipKind.JOINED_BY_LINK, MembershipKind.JOINED) else None
        yield event(kind, target, str(detail) if detail is not None else action)
    if action in ("create_group", "invite_members", "remove_members"):
        yield from _member_events(msg, action, actor, names, event)


def _member_events(
    msg: dict[str, Any], action: str, actor: str | None, names: dict[str, str], event: Any
) -> Iterator[MembershipEvent]:
    members = msg.get("members")
    if not isinstance(members, list):
        return
    for member in members:
        name = member if isinstance(member, str) else None
        target = names.get(name, f"name:{name}") if name else None
        if action == "remove_members":
            kind = MembershipKind.LEFT if target is not None and target == actor else (
                MembershipKind.REMOVED
            )
        else:
            kind = MembershipKind.ADDED
        yield event(kind, target, name or "(deleted account)")
