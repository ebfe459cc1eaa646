"""Membership over time: who was in the group when each message arrived.

Intervals come from the exhibit's own membership events (joins, adds, leaves, removals, link
joins, number changes) and from posting: a member seen posting (or adding, removing, renaming)
was present from their first such act at the latest. When nothing records how a member came
in (a founder of a group whose export starts later, a member added before the history begins),
they are taken to have been there from the start of the export, and the interval says so
(confidence ``assumed``).
"""

from __future__ import annotations

from dataclasses import dataclass

from conductlens.dynamics.flow import Flow, GroupEvent
from conductlens.dynamics.people import (
    JOINING,
    LEAVING,
    LISTED,
    Member,
    acting,
    identify,
    members,
    number_changes,
    subject_of,
)

START = 0.0


@dataclass(frozen=True, slots=True)
class Interval:
    """``start <= seq < end`` (``end`` None: still a member when the export ends).

    ``start_source`` / ``end_source`` say what shows it (a membership event id, a message id
    or the start of the export); ``confidence`` is ``recorded`` (a membership event, or a
    member table row with its add or leave time), ``posted`` (their first message),
    ``assumed`` (present from the start, nothing records a join) or ``listed`` (only a phone's
    member table names them as a current member, without a time: present throughout)."""

    member: int
    start: float
    end: float | None
    start_source: str
    end_source: str | None
    confidence: str

    def covers(self, seq: float) -> bool:
        """Whether a message at ``seq`` arrived inside this interval."""
        return self.start <= seq and (self.end is None or seq < self.end)


@dataclass(frozen=True, slots=True)
class _Mark:
    position: float
    change: str  # "in", "out", "post" or "listed" (a current member, no time known)
    source: str


@dataclass(frozen=True, slots=True)
class Roster:
    """The members of one conversation and their intervals."""

    flow: Flow
    alias: dict[int, int]
    members: dict[int, Member]
    intervals: tuple[Interval, ...]

    def member_of(self, participant_id: int | None) -> int | None:
        """The member a participant row belongs to."""
        if participant_id is None:
            return None
        return self.alias.get(participant_id, participant_id)

    def present_at(self, seq: float) -> list[int]:
        """Members in the group when the message at ``seq`` arrived, by name."""
        found = {i.member for i in self.intervals if i.covers(seq)}
        return sorted(found, key=lambda m: (self.members[m].name, m))

    def left_between(self, after: float, until: float) -> dict[int, str]:
        """Members whose interval ends in ``(after, until]``, with what shows it."""
        return {i.member: i.end_source or "" for i in self.intervals
                if i.end is not None and after < i.end <= until and i.end_source
                and i.end_source.startswith("left:")}


def build_roster(flow: Flow) -> Roster:
    """Membership intervals for every member of the conversation."""
    alias = identify(flow)
    people = members(flow, alias)
    marks = _marks(flow, alias)
    for event, old, new in number_changes(flow, alias):
        if old in people and new in people:
            marks.setdefault(old, []).append(_Mark(event.position, "out", f"number:{event.id}"))
            marks.setdefault(new, []).append(_Mark(event.position, "in", f"number:{event.id}"))
    intervals = [i for member, found in marks.items() if member in people
                 for i in _sweep(member, sorted(found, key=_order))]
    return Roster(flow, alias, people, tuple(sorted(intervals, key=lambda i: (i.member,
                                                                               i.start))))


def _order(mark: _Mark) -> tuple[float, int]:
    return mark.position, {"in": 0, "listed": 0, "post": 1, "out": 2}[mark.change]


def _marks(flow: Flow, alias: dict[int, int]) -> dict[int, list[_Mark]]:
    marks: dict[int, list[_Mark]] = {}
    for e in flow.events:
        who = subject_of(e)
        if who is None or e.kind not in JOINING | LEAVING:
            continue
        change = "in" if e.kind in JOINING else "out"
        label = "left" if e.kind in LEAVING else "joined"
        marks.setdefault(alias.get(who, who), []).append(
            _Mark(e.position, change, f"{label}:{e.id}"))
    for e in flow.events:
        if e.kind in LISTED and e.target is not None:
            mark = _listed(e)
            if mark is not None:
                marks.setdefault(alias.get(e.target, e.target), []).append(mark)
    for e in flow.events:
        actor = acting(e)
        if actor is not None:
            marks.setdefault(alias.get(actor, actor), []).append(
                _Mark(e.position, "post", f"acted:{e.id}"))
    for p in flow.posts:
        if p.sender is not None and p.kind != "system":
            marks.setdefault(alias.get(p.sender, p.sender), []).append(
                _Mark(float(p.seq), "post", f"message:{p.id}"))
    return marks


def _listed(e: GroupEvent) -> _Mark | None:
    """A member table row as a mark: its add (or leave) time where the table keeps one."""
    if e.kind == "past_member":
        return _Mark(e.position, "out", f"left:{e.id}") if e.when is not None else None
    if e.when is not None:
        return _Mark(e.position, "in", f"member:{e.id}")
    return _Mark(e.position, "listed", f"member:{e.id}")


def _sweep(member: int, marks: list[_Mark]) -> list[Interval]:
    listed = [m for m in marks if m.change == "listed"]
    marks = [m for m in marks if m.change != "listed"]
    if not marks and listed:
        # Named only by the member table: a current member who never posted and whose
        # arrival nothing records, so present for the whole export, at lower confidence.
        return [Interval(member, START, None, listed[0].source, None, "listed")]
    out: list[Interval] = []
    open_at: tuple[float, str, str] | None = None
    for n, mark in enumerate(marks):
        if open_at is None and mark.change != "out":
            if mark.change == "in":
                open_at = (mark.position, mark.source, "recorded")
            elif n == 0:
                open_at = (START, f"start (first seen {mark.source})", "assumed")
            else:
                open_at = (mark.position, mark.source, "posted")
        elif mark.change == "out":
            if open_at is None:
                if n:
                    continue  # a second leave with no return between: nothing to close
                open_at = (START, f"start (first seen {mark.source})", "assumed")
            out.append(Interval(member, open_at[0], mark.position, open_at[1], mark.source,
                                open_at[2]))
            open_at = None
    if open_at is not None:
        out.append(Interval(member, open_at[0], None, open_at[1], None, open_at[2]))
    return out
