"""Helpers shared by the demo renderers: names, system-message wording, ids, media names."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime

from conductlens.demo.model import DemoMembership, DemoMessage, Scenario

E2E_ANDROID = (
    "Messages and calls are end-to-end encrypted. Only people in this chat can read, "
    "listen to, or share them. Learn more."
)
E2E_IOS = (
    "Messages and calls are end-to-end encrypted. Only people in this chat can read, "
    "listen to, or share them."
)
NUMBER_CHANGE = "changed their phone number to a new number. Tap to message or add the new number."
LRM = "\u200e"
IOS_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


def pretty_phone(e164: str) -> str:
    """``+447700900123`` -> ``+44 7700 900123`` (how WhatsApp shows unsaved UK numbers)."""
    return f"{e164[:3]} {e164[3:7]} {e164[7:]}"


class NameBook:
    """Resolves officer ids to numbers and to the names the owner's phone shows."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._officers = {o.id: o for o in scenario.officers}
        self._changed = {
            e.actor: e.when for e in scenario.memberships if e.kind == "number_changed"
        }

    def phone(self, officer_id: str, when: datetime) -> str:
        """E.164 number ``officer_id`` used at ``when``."""
        officer = self._officers[officer_id]
        changed = self._changed.get(officer_id)
        if changed is not None and changed <= when and officer.new_phone:
            return officer.new_phone
        return officer.phone

    def name(self, officer_id: str, when: datetime) -> str:
        """Sender name as the phone owner's WhatsApp shows it at ``when``."""
        officer = self._officers[officer_id]
        if officer_id == self.scenario.owner:
            return officer.name
        phone = self.phone(officer_id, when)
        if phone == officer.phone and officer.contact_name:
            return officer.contact_name
        return pretty_phone(phone)


def jid_of(phone: str) -> str:
    """``+447700900123`` -> ``447700900123@s.whatsapp.net``."""
    return f"{phone.lstrip('+')}@s.whatsapp.net"


def key_id(seed: int, seq: int) -> str:
    """Deterministic 32-hex-digit message id, shared by Android ``key_id`` and iOS stanza id."""
    return hashlib.sha256(f"demo-key:{seed}:{seq}".encode()).hexdigest()[:32].upper()


def to_ms(when: datetime) -> int:
    """Milliseconds since the Unix epoch (UTC)."""
    return int(when.timestamp()) * 1000


def to_ios(when: datetime) -> float:
    """Seconds since 2001-01-01 UTC (Core Data / ``NSDate``)."""
    return (when - IOS_EPOCH).total_seconds()


def media_names(scenario: Scenario) -> dict[int, tuple[str, str]]:
    """Per media message seq: (Android export name, iOS export name)."""
    per_day: Counter[str] = Counter()
    names: dict[int, tuple[str, str]] = {}
    for message in scenario.messages:
        if message.kind != "media":
            continue
        day = message.when.strftime("%Y%m%d")
        android = f"IMG-{day}-WA{per_day[day]:04d}.jpg"
        per_day[day] += 1
        ios = f"{message.seq:08d}-PHOTO-{message.when.strftime('%Y-%m-%d-%H-%M-%S')}.jpg"
        names[message.seq] = (android, ios)
    return names


def system_text(book: NameBook, event: DemoMembership, *, ios: bool) -> str:
    """English WhatsApp wording for a group event (``You`` for the phone owner)."""
    scenario = book.scenario
    open_q, close_q = ("\u201c", "\u201d") if ios else ('"', '"')

    def name(officer_id: str | None, *, subject: bool) -> str:
        if officer_id == scenario.owner:
            return "You" if subject else "you"
        return book.name(officer_id or "", event.when)

    actor = name(event.actor, subject=True)
    if event.kind == "created":
        return f"{actor} created group {open_q}{event.new_value}{close_q}"
    if event.kind == "added":
        return f"{actor} added {name(event.target, subject=False)}"
    if event.kind == "removed":
        return f"{actor} removed {name(event.target, subject=False)}"
    if event.kind == "left":
        return f"{actor} left"
    if event.kind == "joined_by_link":
        return f"{actor} joined using this group's invite link"
    if event.kind == "subject_changed":
        return (
            f"{actor} changed the subject from {open_q}{event.old_value}{close_q} "
            f"to {open_q}{event.new_value}{close_q}"
        )
    old_phone = scenario.officer(event.actor)
    before = old_phone.contact_name or pretty_phone(old_phone.phone)
    return f"{before} {NUMBER_CHANGE}"


def deleted_text(scenario: Scenario, message: DemoMessage) -> str:
    """Placeholder WhatsApp shows for a message deleted for everyone."""
    if message.sender == scenario.owner:
        return "You deleted this message"
    return "This message was deleted"
