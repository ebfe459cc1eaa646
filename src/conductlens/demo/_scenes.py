"""Planted incident scenes and hard negatives (internal to the scenario builder)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from conductlens.demo import content
from conductlens.demo._responses import Extras, add_responses
from conductlens.demo._timeline import Timeline, minutes
from conductlens.demo.incidents import (
    CHALLENGES,
    DEFENCES,
    HARD_NEGATIVES,
    INCIDENTS,
    LAUGH_EMOJIS,
    LAUGH_REPLIES,
    IncidentSpec,
)
from conductlens.demo.model import MessageKind

CHALLENGERS: tuple[str, ...] = ("o02", "o08", "o10", "o11", "o16", "o23", "o01", "o26")
BULLY_TARGETS: tuple[str, ...] = ("o10", "o12", "o19", "o06", "o24")
_NAMES = {row.id: row.name for row in content.roster()}


@dataclass(frozen=True, slots=True)
class DraftIncident:
    """An incident with provisional ids (remapped when the timeline is finalised)."""

    index: int
    spec: IncidentSpec
    text: str
    message_id: int
    sender: str
    when: datetime
    laughed_by: tuple[str, ...]
    laugh_reply_ids: tuple[int, ...]
    challenger: str | None
    challenge_id: int | None
    leaver: str | None
    leave_id: int | None
    members: tuple[str, ...]
    extras: Extras = Extras()


def _sender(tl: Timeline, members: list[str], spec: IncidentSpec) -> str:
    pool = [m for m in members if m not in (content.OWNER_ID, "o01", "o02")]
    if spec.category == "bullying":
        pool = [m for m in pool if m not in BULLY_TARGETS]
    return tl.rng.choice(pool)


def _text(tl: Timeline, spec: IncidentSpec, members: list[str], sender: str) -> str:
    if "{target}" not in spec.text:
        return spec.text
    targets = [m for m in BULLY_TARGETS if m in members and m != sender] or ["o10"]
    first = _NAMES[tl.rng.choice(targets)].split()[0]
    return spec.text.replace("{target}", first)


def _laughs(
    tl: Timeline, parent: int, when: datetime, members: list[str], sender: str
) -> tuple[list[str], list[int]]:
    others = [m for m in members if m != sender]
    reactors = tl.rng.sample(others, k=min(len(others), tl.rng.randint(2, 5)))
    laughed: list[str] = []
    for offset, who in enumerate(reactors):
        if tl.react(parent, who, tl.rng.choice(LAUGH_EMOJIS), when + minutes(1 + offset * 3)):
            laughed.append(who)
    repliers = [m for m in others if m not in laughed]
    reply_ids: list[int] = []
    for offset, who in enumerate(tl.rng.sample(repliers, k=min(len(repliers), 2))):
        reply_ids.append(
            tl.message(
                when + minutes(2 + offset * 4), who, tl.rng.choice(LAUGH_REPLIES), reply_to=parent
            )
        )
        laughed.append(who)
    return sorted(laughed), reply_ids


def _challenger(tl: Timeline, members: list[str], sender: str, leaving: bool) -> str:
    pool = [m for m in CHALLENGERS if m in members and m != sender]
    if leaving:
        pool = [m for m in pool if m not in ("o01", content.OWNER_ID)]
    return tl.rng.choice(pool)


def _silent_leaver(tl: Timeline, members: list[str], exclude: set[str], when: datetime) -> str:
    pool = [
        m
        for m in members
        if m not in exclude
        and m not in ("o01", "o02", content.OWNER_ID)
        and not tl.has_future_events(m, when)
    ]
    return tl.rng.choice(pool)


def incident_scene(tl: Timeline, index: int, spec: IncidentSpec, when: datetime,
                   side: random.Random | None = None) -> DraftIncident:
    """Plant one incident at ``when`` and the group's response to it (``side`` drives the
    extra responses of :mod:`conductlens.demo._responses`; None plants none)."""
    members = tl.members_at(when)
    sender = _sender(tl, members, spec)
    text = _text(tl, spec, members, sender)
    kind: MessageKind = "media" if spec.media else "text"
    message_id = tl.message(when, sender, text, kind=kind)
    laughed: list[str] = []
    reply_ids: list[int] = []
    if spec.response in ("laugh", "laugh_leave"):
        laughed, reply_ids = _laughs(tl, message_id, when, members, sender)
    challenger = challenge_id = leaver = leave_id = None
    if spec.response in ("challenge", "challenge_leave"):
        leaving = spec.response == "challenge_leave"
        challenger = _challenger(tl, members, sender, leaving)
        if leaving and tl.has_future_events(challenger, when):
            leaving = False
        challenge_id = tl.message(
            when + minutes(6), challenger, tl.rng.choice(CHALLENGES), reply_to=message_id
        )
        tl.message(when + minutes(9), sender, tl.rng.choice(DEFENCES), reply_to=challenge_id)
        if leaving:
            leaver = challenger
            leave_id = tl.membership(when + minutes(31), "left", challenger)
    if spec.response == "laugh_leave":
        leaver = _silent_leaver(tl, members, {sender, *laughed}, when)
        leave_id = tl.membership(when + minutes(tl.rng.randint(60, 180)), "left", leaver)
    engaged = {sender, *laughed, challenger, leaver}
    free = [m for m in members if m not in engaged]
    extras = add_responses(tl, side, spec.response, message_id, when, free) if side else Extras()
    return DraftIncident(
        index,
        spec,
        text,
        message_id,
        sender,
        when,
        tuple(laughed),
        tuple(reply_ids),
        challenger,
        challenge_id,
        leaver,
        leave_id,
        tuple(members),
        extras,
    )


def plant_incidents(tl: Timeline, start: datetime, days: int,
                    side: random.Random | None = None) -> list[DraftIncident]:
    """Plant every incident template on distinct days, in chronological order."""
    chosen = sorted(tl.rng.sample(range(3, days - 2), k=len(INCIDENTS)))
    order = list(range(len(INCIDENTS)))
    tl.rng.shuffle(order)
    drafts: list[DraftIncident] = []
    for position, (day, spec_index) in enumerate(zip(chosen, order, strict=True)):
        when = start.replace(
            hour=tl.rng.randint(8, 22), minute=tl.rng.randint(0, 59), second=tl.rng.randint(0, 59)
        )
        when = when + _days(day)
        drafts.append(incident_scene(tl, position, INCIDENTS[spec_index], when, side))
    return drafts


def plant_hard_negatives(
    tl: Timeline, start: datetime, days: int
) -> list[tuple[int, str, str, str]]:
    """Plant legitimate-but-alarming police talk; returns (id, sender, text, why)."""
    out: list[tuple[int, str, str, str]] = []
    for text, why in HARD_NEGATIVES:
        when = start + _days(tl.rng.randint(2, days - 2))
        when = when.replace(
            hour=tl.rng.randint(7, 21), minute=tl.rng.randint(0, 59), second=tl.rng.randint(0, 59)
        )
        members = [m for m in tl.members_at(when) if m != content.OWNER_ID]
        sender = "o02" if "Reminder" in text and "o02" in members else tl.rng.choice(members)
        out.append((tl.message(when, sender, text), sender, text, why))
    return out


def _days(count: int) -> timedelta:
    return timedelta(days=count)
