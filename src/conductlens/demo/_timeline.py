"""Mutable drafting area used while the scenario is built (internal).

Drafts carry a provisional id in ``seq`` (and in ``reply_to`` / reaction ``message_seq``);
:meth:`Timeline.finalise` sorts everything by time and renumbers to the final ``seq``.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from conductlens.demo.model import (
    DemoMembership,
    DemoMessage,
    DemoReaction,
    Event,
    MembershipKind,
    MessageKind,
)

_JOINING = ("created", "added", "joined_by_link")


def normalise(when: datetime) -> datetime:
    """Round-trip through UTC so wall times in the spring-forward gap become real times."""
    assert when.tzinfo is not None
    return when.astimezone(UTC).astimezone(when.tzinfo).replace(microsecond=0)


class Timeline:
    """Collects draft events and answers "who was a member at this moment"."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._next_id = 0
        self.events: list[Event] = []
        self.reactions: list[DemoReaction] = []
        self._reacted: set[tuple[int, str]] = set()
        self._membership: list[DemoMembership] = []

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def message(
        self,
        when: datetime,
        sender: str,
        text: str,
        *,
        kind: MessageKind = "text",
        reply_to: int | None = None,
        edited: bool = False,
    ) -> int:
        """Add a message draft and return its provisional id."""
        draft_id = self._new_id()
        media = "pending" if kind == "media" else None
        when = normalise(when)
        self.events.append(DemoMessage(draft_id, when, sender, text, kind, media, reply_to, edited))
        return draft_id

    def membership(
        self,
        when: datetime,
        kind: MembershipKind,
        actor: str,
        target: str | None = None,
        old_value: str | None = None,
        new_value: str | None = None,
    ) -> int:
        """Add a group event draft and return its provisional id."""
        draft_id = self._new_id()
        when = normalise(when)
        event = DemoMembership(draft_id, when, kind, actor, target, old_value, new_value)
        self.events.append(event)
        self._membership.append(event)
        self._membership.sort(key=lambda e: (e.when, e.seq))
        return draft_id

    def react(self, message_id: int, sender: str, emoji: str, when: datetime) -> bool:
        """Add a reaction unless ``sender`` already reacted to that message."""
        if (message_id, sender) in self._reacted or not self.is_member(sender, when):
            return False
        when = normalise(when)
        self._reacted.add((message_id, sender))
        self.reactions.append(DemoReaction(message_id, sender, emoji, when))
        return True

    def members_at(self, when: datetime) -> list[str]:
        """Sorted ids of the members at ``when``."""
        members: set[str] = set()
        for event in self._membership:
            if event.when > when:
                break
            if event.kind in _JOINING:
                members.add(event.target if event.kind == "added" and event.target else event.actor)
            elif event.kind == "left":
                members.discard(event.actor)
            elif event.kind == "removed" and event.target:
                members.discard(event.target)
        return sorted(members)

    def is_member(self, officer_id: str, when: datetime) -> bool:
        """Whether ``officer_id`` is in the group at ``when``."""
        return officer_id in self.members_at(when)

    def has_future_events(self, officer_id: str, after: datetime) -> bool:
        """Whether ``officer_id`` takes part in a group event after ``after``."""
        return any(e.when > after and officer_id in (e.actor, e.target) for e in self._membership)

    def finalise(self) -> tuple[tuple[Event, ...], tuple[DemoReaction, ...], dict[int, int]]:
        """Sort by time, assign final seqs and media names; return the id -> seq map."""
        ordered = sorted(self.events, key=lambda e: (e.when, e.seq))
        mapping = {event.seq: index + 1 for index, event in enumerate(ordered)}
        final: list[Event] = []
        media_count = 0
        for event in ordered:
            if isinstance(event, DemoMessage):
                media_name = event.media_name
                if media_name is not None:
                    media_count += 1
                    media_name = f"photo-{media_count:04d}"
                reply = mapping[event.reply_to] if event.reply_to is not None else None
                final.append(
                    replace(event, seq=mapping[event.seq], reply_to=reply, media_name=media_name)
                )
            else:
                final.append(replace(event, seq=mapping[event.seq]))
        reactions = sorted(
            (replace(r, message_seq=mapping[r.message_seq]) for r in self.reactions),
            key=lambda r: (r.when, r.message_seq, r.sender),
        )
        return tuple(final), tuple(reactions), mapping


def minutes(value: float) -> timedelta:
    """A ``timedelta`` of ``value`` minutes."""
    return timedelta(minutes=value)
