"""The Standard 10 view of a case: responses to its flagged messages and each member's record.

Built inside the review door (``ReviewSession.standard10``): only messages inside the scope are
incidents, only their text is read to classify replies (a reply outside the scope counts as
posting, never read), people are shown as the case's ``Namer`` shows them (bystanders as
pseudonyms), and flagged messages outside the scope are a total only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, not_, select

from conductlens.dynamics.analysis import FLAGGING, Dynamics, Group
from conductlens.dynamics.evidence import participation
from conductlens.dynamics.responses import Responses, TextReader, Window
from conductlens.dynamics.svg import membership_svg, network_svg
from conductlens.review.pseudonyms import DisplayName
from conductlens.store import tables as t

Name = Callable[[int | None], DisplayName]
LABELS = ("endorsed", "challenged", "neutral", "silent", "left")


@dataclass(frozen=True, slots=True)
class ShownResponse:
    """One incident's responses, people as the case shows them."""

    message_id: int
    conversation_id: int
    when: datetime | None
    sender: DisplayName
    present: tuple[DisplayName, ...]
    groups: dict[str, tuple[DisplayName, ...]]
    late_challenged: tuple[DisplayName, ...]
    evidence: dict[str, tuple[str, ...]]  # identity -> ids
    read: tuple[DisplayName, ...] = ()  # members a receipt row shows read it


@dataclass(slots=True)
class PersonRecord:
    """A member's Standard 10 record over the case's incidents (message ids)."""

    who: DisplayName
    sent: list[int] = field(default_factory=list)
    present: list[int] = field(default_factory=list)
    labels: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in LABELS})
    read: list[int] = field(default_factory=list)  # incidents a receipt shows they read


@dataclass(frozen=True, slots=True)
class Standard10View:
    responses: tuple[ShownResponse, ...]
    people: tuple[PersonRecord, ...]
    withheld: int  # flagged messages of the case outside the scope (a total)
    pictures: dict[int, tuple[str, str]]  # conversation -> (membership svg, network svg)

    @property
    def message_ids(self) -> list[int]:
        """The incidents shown."""
        return [r.message_id for r in self.responses]


def flagged_in(conn: Connection, inside: ColumnElement[bool], categories: Sequence[str]
               ) -> list[int]:
    """Messages with a medium or high finding that satisfy ``inside`` (the scope clause)."""
    f, m = t.findings.c, t.messages.c
    query = (select(m.id).distinct().join(t.findings, f.message_id == m.id)
             .where(f.severity.in_(FLAGGING), inside).order_by(m.id))
    if categories:
        query = query.where(f.category.in_(categories))
    return [int(i) for i in conn.scalars(query)]


def withheld(conn: Connection, inside: ColumnElement[bool], exhibits: list[int]) -> int:
    """How many flagged messages of the case lie outside the scope."""
    f, m = t.findings.c, t.messages.c
    return int(conn.scalar(select(func.count(func.distinct(m.id))).select_from(
        t.findings.join(t.messages, f.message_id == m.id)).where(
        f.severity.in_(FLAGGING), m.exhibit_id.in_(exhibits), not_(inside))) or 0)


def scoped_texts(conn: Connection, inside: ColumnElement[bool]) -> TextReader:
    """Text of the messages inside the scope only."""
    def read(ids: list[int]) -> dict[int, str]:
        rows = conn.execute(select(t.messages.c.id, t.messages.c.text)
                            .where(t.messages.c.id.in_(ids), inside))
        return {int(i): str(text) for i, text in rows}
    return read


def build(conn: Connection, incidents: list[int], texts: TextReader, name: Name,
          hidden: int, window: Window | None = None) -> Standard10View:
    """Responses to ``incidents`` and every member's record, named by ``name``."""
    dyn = Dynamics(conn, texts)
    found = dyn.responses(incidents, window or Window(), set(incidents))
    shown = tuple(_shown(g, r, name) for g, r in found)
    people: dict[str, PersonRecord] = {}
    for (g, r), s in zip(found, shown, strict=True):
        _tally(people, g, r, s, name)
    pictures = {cid: _pictures(dyn.group(cid), [s for s in shown if s.conversation_id == cid],
                               name) for cid in dict.fromkeys(s.conversation_id for s in shown)}
    ordered = sorted(people.values(), key=lambda p: (p.who.kind != "subject", p.who.label))
    return Standard10View(shown, tuple(ordered), hidden, pictures)


def _shown(group: Group, r: Responses, name: Name) -> ShownResponse:
    def named(ids: Sequence[int]) -> tuple[DisplayName, ...]:
        return tuple(sorted((name(i) for i in ids), key=lambda d: d.label))

    groups = {"endorsed": named(r.endorsed), "challenged": named(r.challenged),
              "neutral": named(r.neutral), "silent": named(r.silent), "left": named(r.left)}
    post = group.flow.posts[group.flow.index_of(r.message_id)]
    return ShownResponse(r.message_id, group.flow.conversation_id, post.when, name(r.sender),
                         named(r.present), groups, named(r.late_challenged),
                         {name(m).identity: v for m, v in r.evidence.items()}, named(r.read))


def _tally(people: dict[str, PersonRecord], group: Group, r: Responses, s: ShownResponse,
           name: Name) -> None:
    for who in s.present:
        people.setdefault(who.identity, PersonRecord(who)).present.append(r.message_id)
    if r.sender is not None:
        sender = name(r.sender)
        people.setdefault(sender.identity, PersonRecord(sender)).sent.append(r.message_id)
    for label, members in s.groups.items():
        for who in members:
            people[who.identity].labels[label].append(r.message_id)
    for who in s.read:
        people[who.identity].read.append(r.message_id)


def _pictures(group: Group, shown: list[ShownResponse], name: Name) -> tuple[str, str]:
    roster = group.roster
    labels = {m: name(m).label for m in roster.members}
    identities = {m: name(m).identity for m in roster.members}
    reactions = [x for xs in group.reactions.values() for x in xs]
    edges = participation(group.flow, roster, reactions)
    # The time axis covers the incidents shown, so the picture says nothing about when
    # messages outside the scope were sent.
    whens = [s.when for s in shown if s.when is not None]
    span = (min(whens), max(whens)) if whens else None
    return (membership_svg(group.flow, roster, labels, shown, identities, span),
            network_svg(labels, edges))
