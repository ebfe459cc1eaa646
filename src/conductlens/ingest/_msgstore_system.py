"""WhatsApp Android system messages: action codes to English text and membership events.

The same action numbers are used by the legacy ``messages.media_size`` (when
``status = 6``) and the modern ``message_system.action_type``. The table follows IPED's
``ExtractorAndroid``/``ExtractorAndroidNew`` decoding (see docs/formats/whatsapp-android-db.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conductlens.model import MembershipKind

Namer = Callable[[str | None], str]


@dataclass(frozen=True, slots=True)
class SystemFacts:
    """What one system row says: who acted, on whom, and any new/old value."""

    action: int
    actor: str | None = None
    targets: tuple[str, ...] = ()
    new_value: str | None = None
    old_value: str | None = None
    kind: MembershipKind | None = None  # set by callers whose numbering differs (iOS)

    def membership(self) -> MembershipKind | None:
        """The membership change this row records, if any."""
        return self.kind or MEMBERSHIP.get(self.action)


@dataclass(frozen=True, slots=True)
class Change:
    """One membership change to record (a system row may yield several)."""

    kind: MembershipKind
    actor: str | None
    target: str | None
    detail: str | None


MEMBERSHIP: dict[int, MembershipKind] = {
    1: MembershipKind.SUBJECT_CHANGED,
    4: MembershipKind.ADDED,
    5: MembershipKind.LEFT,
    6: MembershipKind.ICON_CHANGED,
    7: MembershipKind.REMOVED,
    10: MembershipKind.NUMBER_CHANGED,
    11: MembershipKind.CREATED,
    12: MembershipKind.ADDED,
    14: MembershipKind.REMOVED,
    15: MembershipKind.ADMIN_CHANGED,
    20: MembershipKind.JOINED_BY_LINK,
    27: MembershipKind.DESCRIPTION_CHANGED,
}

PLAIN: dict[int, str] = {
    18: "The security code changed",
    19: "Messages and calls are end-to-end encrypted",
    46: "This chat is with a business account",
    58: "A contact was blocked or unblocked",
    67: "Messages are end-to-end encrypted",
}


def _people(keys: tuple[str, ...], name: Namer) -> str:
    names = [name(k) for k in keys]
    if not names:
        return "someone"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe(facts: SystemFacts, name: Namer) -> str:
    """Readable English for a system row, e.g. ``Alice added Bob``."""
    kind = facts.membership()
    if kind is None:
        return PLAIN.get(facts.action, f"System event (WhatsApp action {facts.action})")
    who = name(facts.actor) if facts.actor else None
    whom = _people(facts.targets, name)
    return _TEXT[kind](who, whom, facts)


def _added(who: str | None, whom: str, _f: SystemFacts) -> str:
    return f"{who} added {whom}" if who else f"{whom} was added"


def _removed(who: str | None, whom: str, _f: SystemFacts) -> str:
    return f"{who} removed {whom}" if who else f"{whom} was removed"


def _subject(who: str | None, _w: str, f: SystemFacts) -> str:
    head = f"{who or 'Someone'} changed the subject"
    if f.old_value:
        head += f' from "{f.old_value}"'
    return f'{head} to "{f.new_value}"' if f.new_value else head


def _created(who: str | None, _w: str, f: SystemFacts) -> str:
    title = f' "{f.new_value}"' if f.new_value else ""
    return f"{who or 'Someone'} created group{title}"


def _number(who: str | None, whom: str, f: SystemFacts) -> str:
    if f.old_value and f.new_value:
        return f"{f.old_value} changed their number to {f.new_value}"
    return f"{who or whom} changed their phone number"


_TEXT: dict[MembershipKind, Callable[[str | None, str, SystemFacts], str]] = {
    MembershipKind.ADDED: _added,
    MembershipKind.REMOVED: _removed,
    MembershipKind.LEFT: lambda who, whom, f: f"{whom if f.targets else who or 'Someone'} left",
    MembershipKind.JOINED_BY_LINK: lambda who, whom, f: (
        f"{whom if f.targets else who or 'Someone'} joined using this group's invite link"
    ),
    MembershipKind.SUBJECT_CHANGED: _subject,
    MembershipKind.CREATED: _created,
    MembershipKind.ICON_CHANGED: lambda who, _w, _f: f"{who or 'Someone'} changed the group icon",
    MembershipKind.DESCRIPTION_CHANGED: lambda who, _w, _f: (
        f"{who or 'Someone'} changed the group description"
    ),
    MembershipKind.ADMIN_CHANGED: lambda _who, whom, _f: f"{whom} is now an admin",
    MembershipKind.JOINED: lambda who, whom, f: f"{whom if f.targets else who or 'Someone'} joined",
    MembershipKind.SETTINGS_CHANGED: lambda who, _w, _f: (
        f"{who or 'Someone'} changed the group settings"
    ),
    MembershipKind.NUMBER_CHANGED: _number,
}


_SELF = frozenset({MembershipKind.LEFT, MembershipKind.JOINED_BY_LINK, MembershipKind.JOINED})
_ABOUT_GROUP = frozenset({
    MembershipKind.SUBJECT_CHANGED, MembershipKind.CREATED, MembershipKind.ICON_CHANGED,
    MembershipKind.DESCRIPTION_CHANGED, MembershipKind.SETTINGS_CHANGED,
})


def changes(facts: SystemFacts) -> list[Change]:
    """Membership events a system row records (none for banners and unknown actions)."""
    kind = facts.membership()
    if kind is None:
        return []
    detail = facts.new_value
    if kind in _ABOUT_GROUP:
        return [Change(kind, facts.actor, None, detail)]
    if kind is MembershipKind.NUMBER_CHANGED and facts.old_value and facts.new_value:
        detail = f"{facts.old_value} -> {facts.new_value}"
    targets: tuple[str | None, ...] = facts.targets or (None,)
    if kind in _SELF and not facts.targets:
        targets = (facts.actor,)
    return [Change(kind, facts.actor, t, detail) for t in targets]
