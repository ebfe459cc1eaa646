"""Who is who inside one conversation: participant rows that are the same member.

An exhibit can hold one member under several rows: the same number written with and without
direction marks, the phone owner as "You" in system lines but under their own name when they
post, and an old and a new number after a number change. Members are merged only on evidence
the exhibit itself holds; anything ambiguous stays apart (and is shown apart).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from conductlens.dynamics.flow import Flow, GroupEvent

JOINING = frozenset({"created", "added", "joined", "joined_by_link"})
LEAVING = frozenset({"left", "removed"})
# Rows of a phone's member tables (see ingest/_group_members.py): not changes, but they name
# who belonged to the group, with an add or leave time where the table keeps one.
LISTED = frozenset({"member", "past_member"})


@dataclass(frozen=True, slots=True)
class Member:
    """One member of the group: ``id`` is the participant row whose name is shown."""

    id: int
    name: str
    rows: frozenset[int]


def subject_of(event: GroupEvent) -> int | None:
    """The participant a membership event is about (the one who came or went)."""
    if event.kind in ("added", "removed") and event.target is not None:
        return event.target
    return event.actor if event.actor is not None else event.target


def identify(flow: Flow) -> dict[int, int]:
    """participant row -> the row that stands for its member (itself when alone)."""
    posts = Counter(p.sender for p in flow.posts if p.sender is not None and p.kind != "system")
    alias: dict[int, int] = {}
    by_phone: dict[str, list[int]] = {}
    for who in flow.people.values():
        if who.phone:
            by_phone.setdefault(who.phone, []).append(who.id)
    for rows in by_phone.values():
        lead = max(rows, key=lambda r: (posts[r], -r))
        alias.update({r: lead for r in rows})
    owner = _owner_alias(flow, posts, alias, {new for _, _, new in number_changes(flow, alias)})
    if owner is not None:
        alias[owner[0]] = owner[1]
    return alias


def _named_in_events(flow: Flow) -> set[int]:
    named: set[int] = set()
    for e in flow.events:
        named.update(x for x in (e.actor, e.target) if x is not None)
    return named


def _owner_alias(flow: Flow, posts: Counter[int], alias: dict[int, int],
                 explained: set[int]) -> tuple[int, int] | None:
    """"You" in system lines and the owner's own name on their messages are one member when
    exactly one poster is never named by any system line (the owner always is "You") and
    does not post before "You" joined (when a system line shows that)."""
    owners = [w.id for w in flow.people.values() if w.is_owner and not posts[w.id]]
    if len(owners) != 1:
        return None
    named = {alias.get(x, x) for x in _named_in_events(flow)} | explained
    candidates = {alias.get(s, s) for s in posts if s is not None} - named
    candidates.discard(owners[0])
    joined = [e.position for e in flow.events if e.kind in JOINING
              and alias.get(subject_of(e) or -1, subject_of(e)) == owners[0]]
    if joined and len(candidates) > 1:
        early = {alias.get(p.sender, p.sender) for p in flow.posts
                 if p.sender is not None and p.kind != "system" and p.seq < joined[0]}
        candidates -= early
    if len(candidates) != 1 or any(flow.people[c].is_owner for c in candidates):
        return None
    return owners[0], candidates.pop()


def acting(event: GroupEvent) -> int | None:
    """Who did something to the group in ``event`` (added or removed someone, renamed it...),
    which shows they were in it, as a message would; None when nobody else acted."""
    actor = event.actor
    if actor is None or actor == subject_of(event) or event.kind == "number_changed":
        return None
    return actor


def members(flow: Flow, alias: dict[int, int]) -> dict[int, Member]:
    """Every member that posts, acts or appears in a membership event, keyed by lead row."""
    rows: dict[int, set[int]] = {}
    seen = {p.sender for p in flow.posts if p.sender is not None and p.kind != "system"}
    seen |= {s for e in flow.events if e.kind in JOINING | LEAVING | LISTED
             and (s := subject_of(e)) is not None}
    seen |= {a for e in flow.events if (a := acting(e)) is not None}
    for row in seen:
        if row in flow.people:
            rows.setdefault(alias.get(row, row), set()).add(row)
    return {lead: Member(lead, flow.people[lead].name, frozenset(r | {lead}))
            for lead, r in rows.items()}


def number_changes(flow: Flow, alias: dict[int, int]) -> list[tuple[GroupEvent, int, int]]:
    """(event, old member, new member) for each number change whose new number is known:
    the event's target, a number in its detail, or the one new poster who first appears
    after it and whom no system line explains."""
    out = []
    named = {alias.get(x, x) for x in _named_in_events(flow)}
    first: dict[int, int] = {}
    for p in flow.posts:
        if p.sender is not None and p.kind != "system":
            first.setdefault(alias.get(p.sender, p.sender), p.seq)
    for e in flow.events:
        if e.kind != "number_changed" or e.actor is None:
            continue
        old = alias.get(e.actor, e.actor)
        new = _new_number(flow, e, alias, old) or _new_poster(e, old, first, named)
        if new is not None and new != old:
            out.append((e, old, new))
    return out


def _digits(text: str | None) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def _new_number(flow: Flow, e: GroupEvent, alias: dict[int, int], old: int) -> int | None:
    if e.target is not None and alias.get(e.target, e.target) != old:
        return alias.get(e.target, e.target)
    wanted = _digits((e.detail or "").split("@")[0])
    if len(wanted) < 6:
        return None
    for who in flow.people.values():
        if who.phone and _digits(who.phone) == wanted:
            return alias.get(who.id, who.id)
    return None


def _new_poster(e: GroupEvent, old: int, first: dict[int, int], named: set[int]) -> int | None:
    fresh = [m for m, seq in first.items() if seq > e.position and m not in named and m != old]
    return fresh[0] if len(fresh) == 1 else None
