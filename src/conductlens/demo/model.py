"""Neutral, format-independent events of the demo shift group.

The scenario is a single timeline: every :class:`DemoMessage` and :class:`DemoMembership`
carries a ``seq`` that is unique across both kinds and increases with time.  Reactions point
at a message ``seq``.  Renderers turn this timeline into WhatsApp files; the ground truth
refers to the same ``seq`` numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

MessageKind = Literal["text", "media", "deleted"]
MembershipKind = Literal[
    "created", "added", "removed", "left", "joined_by_link", "subject_changed", "number_changed"
]
Severity = Literal["low", "medium", "high"]


@dataclass(frozen=True, slots=True)
class Officer:
    """A fictional member of the group (all numbers are Ofcom drama numbers)."""

    id: str
    name: str
    rank: str
    collar: str
    staff_number: str
    phone: str
    """E.164 number, ``+447700900xxx``."""
    contact_name: str | None
    """Name as saved in the phone owner's address book; ``None`` means unsaved."""
    push_name: str
    """The name the officer set in WhatsApp (shown for unsaved numbers in some views)."""
    new_phone: str | None = None
    """Number after a ``number_changed`` event (never saved in the owner's contacts)."""


@dataclass(frozen=True, slots=True)
class DemoMessage:
    """A message posted to the group."""

    seq: int
    when: datetime
    sender: str
    text: str
    kind: MessageKind = "text"
    media_name: str | None = None
    """Stable media stem (``photo-0012``); each renderer derives its own file name."""
    reply_to: int | None = None
    edited: bool = False


@dataclass(frozen=True, slots=True)
class DemoMembership:
    """A group event: creation, members joining or leaving, subject or number change."""

    seq: int
    when: datetime
    kind: MembershipKind
    actor: str
    target: str | None = None
    old_value: str | None = None
    new_value: str | None = None


@dataclass(frozen=True, slots=True)
class DemoReaction:
    """An emoji reaction to a message (only databases keep these; exports drop them)."""

    message_seq: int
    sender: str
    emoji: str
    when: datetime


@dataclass(frozen=True, slots=True)
class PlantedIncident:
    """One planted piece of misconduct and how the group responded to it."""

    id: str
    seq: int
    sender: str
    category: str
    severity: Severity
    text: str
    description: str
    laughed_by: tuple[str, ...]
    """Officers who reacted with a laughing emoji or a laughing reply."""
    laughing_reply_seqs: tuple[int, ...]
    challenged_by: str | None
    challenge_seq: int | None
    left_after: str | None
    leave_seq: int | None
    members_at_time: tuple[str, ...]
    approved_by: tuple[str, ...] = ()
    """Officers who approved in words ("only saying what we're all thinking")."""
    approval_seqs: tuple[int, ...] = ()
    reported_by: tuple[str, ...] = ()
    """Officers who challenged it as well, saying they would report it."""
    report_seqs: tuple[int, ...] = ()
    neutral_by: tuple[str, ...] = ()
    """Officers who posted about something else inside the response window."""
    neutral_seqs: tuple[int, ...] = ()
    late_challenged_by: tuple[str, ...] = ()
    """Officers who challenged it hours later, outside the response window."""
    late_challenge_seqs: tuple[int, ...] = ()

    @property
    def endorsed_by(self) -> tuple[str, ...]:
        """Everyone who endorsed it: laughing reactions or replies, approval in words."""
        return tuple(sorted({*self.laughed_by, *self.approved_by}))

    @property
    def challengers(self) -> tuple[str, ...]:
        """Everyone who challenged it inside the window."""
        first = (self.challenged_by,) if self.challenged_by else ()
        return tuple(sorted({*first, *self.reported_by}))


@dataclass(frozen=True, slots=True)
class HardNegative:
    """Legitimate police talk that looks like misconduct to a naive keyword matcher."""

    seq: int
    sender: str
    text: str
    why_benign: str


Event = DemoMessage | DemoMembership


@dataclass(frozen=True, slots=True)
class Scenario:
    """The whole deterministic demo group."""

    seed: int
    scale: float
    group_jid: str
    subject: str
    owner: str
    officers: tuple[Officer, ...]
    events: tuple[Event, ...]
    reactions: tuple[DemoReaction, ...]
    incidents: tuple[PlantedIncident, ...]
    hard_negatives: tuple[HardNegative, ...]

    def officer(self, officer_id: str) -> Officer:
        """Return the officer with ``officer_id``."""
        for officer in self.officers:
            if officer.id == officer_id:
                return officer
        raise KeyError(officer_id)

    @property
    def messages(self) -> tuple[DemoMessage, ...]:
        """All messages in timeline order."""
        return tuple(e for e in self.events if isinstance(e, DemoMessage))

    @property
    def memberships(self) -> tuple[DemoMembership, ...]:
        """All group events in timeline order."""
        return tuple(e for e in self.events if isinstance(e, DemoMembership))

    def phone_at(self, officer_id: str, when: datetime) -> str:
        """The number ``officer_id`` used at ``when`` (number changes move it)."""
        officer = self.officer(officer_id)
        for event in self.memberships:
            if event.kind == "number_changed" and event.actor == officer_id and event.when <= when:
                return officer.new_phone or officer.phone
        return officer.phone

    def subject_at(self, when: datetime) -> str:
        """The group subject in force at ``when``."""
        subject = self.subject
        for event in self.memberships:
            if event.when > when:
                break
            if event.kind in ("created", "subject_changed") and event.new_value:
                subject = event.new_value
        return subject
