"""Responses to a message: who endorsed, challenged, stayed neutral or silent, and who left.

The window is the next ``messages`` posts or ``minutes`` minutes after the message, whichever
ends first. Every member present when the message arrived (its sender aside) is exactly one of
endorsed, challenged, neutral or silent, and also ``left`` when they left inside the window.
A reply is attributed to the message unless it quotes something outside the thread, or another
flagged message came between (then it answers that one). Challenges after the window are
shown as ``late_challenged`` and do not count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from conductlens.dynamics.evidence import Reaction, ReadReceipt
from conductlens.dynamics.flow import Flow, Post
from conductlens.dynamics.membership import Roster
from conductlens.dynamics.register import RegisterModel, reaction_label

TextReader = Callable[[list[int]], dict[int, str]]
LATE = timedelta(hours=24)
LATE_MESSAGES = 300


@dataclass(frozen=True, slots=True)
class Window:
    """How far after a message its responses are looked for."""

    messages: int = 30
    minutes: int = 120


@dataclass(frozen=True, slots=True)
class Responses:
    """The group's response to one message; members are participant ids (lead rows)."""

    message_id: int
    sender: int | None
    present: tuple[int, ...]
    endorsed: tuple[int, ...]
    challenged: tuple[int, ...]
    neutral: tuple[int, ...]
    silent: tuple[int, ...]
    left: tuple[int, ...]
    late_challenged: tuple[int, ...]
    evidence: dict[int, tuple[str, ...]] = field(default_factory=dict)
    window_end: datetime | None = None
    read: tuple[int, ...] = ()  # present members a receipt row shows read it


@dataclass(frozen=True, slots=True)
class _Span:
    posts: tuple[Post, ...]
    end_position: float
    end_time: datetime | None


def window_after(flow: Flow, index: int, window: Window) -> _Span:
    """The posts inside the window after ``flow.posts[index]``."""
    start = flow.posts[index]
    limit = start.when + timedelta(minutes=window.minutes) if start.when else None
    taken: list[Post] = []
    for post in flow.posts[index + 1:]:
        if limit is not None and post.when is not None and post.when > limit:
            return _Span(tuple(taken), float(post.seq), limit)
        if post.kind == "system":
            continue
        if len(taken) == window.messages:
            return _Span(tuple(taken), float(post.seq), taken[-1].when or limit)
        taken.append(post)
    return _Span(tuple(taken), float("inf"), limit)


def _late_posts(flow: Flow, index: int, span: _Span) -> list[Post]:
    start = flow.posts[index]
    limit = start.when + LATE if start.when else None
    after = [p for p in flow.posts[index + 1:] if p.seq >= span.end_position
             and p.kind != "system"]
    return [p for p in after[:LATE_MESSAGES]
            if limit is None or p.when is None or p.when <= limit]


def _attributed(posts: Sequence[Post], message_id: int, flagged: set[int]) -> list[Post]:
    """Posts that answer ``message_id``: not quoting outside its thread, and not after another
    flagged message (unless they quote ``message_id`` or its thread before that one)."""
    thread = {message_id}
    out: list[Post] = []
    other_flag = False
    for post in posts:
        quoting = post.reply_to is not None
        if post.id in flagged and post.id != message_id:
            other_flag = True
        elif quoting and post.reply_to in thread or not quoting and not other_flag:
            out.append(post)
            thread.add(post.id)
    return out


def respond(flow: Flow, roster: Roster, message_id: int, window: Window,
            reactions: Sequence[Reaction], texts: TextReader, model: RegisterModel,
            flagged: set[int] | None = None, reads: Sequence[ReadReceipt] = ()) -> Responses:
    """Classify every present member's response to ``message_id`` (see module docstring)."""
    index = flow.index_of(message_id)
    post = flow.posts[index]
    sender = roster.member_of(post.sender)
    present = roster.present_at(post.seq)
    others = [m for m in present if m != sender]
    span = window_after(flow, index, window)
    labels = _labels(span.posts, texts, model)
    _addressed_elsewhere(roster, post, span.posts, labels, texts)
    # A flagged message that is itself a challenge ("that's racist, delete it") does not
    # start a new incident: what follows still answers this one.
    incidents = {i for i in flagged or set() if labels.get(i) != "challenge"}
    answers = [p for p in _attributed(span.posts, message_id, incidents)
               if roster.member_of(p.sender) in others]
    evidence: dict[int, list[str]] = {}
    verdict: dict[int, set[str]] = {}
    for p in answers:
        who = roster.member_of(p.sender)
        assert who is not None
        verdict.setdefault(who, set()).add(labels[p.id])
        evidence.setdefault(who, []).append(str(p.id))
    for r in reactions:
        who = roster.member_of(r.sender)
        if who in others and (span.end_time is None or r.when is None or r.when <= span.end_time):
            verdict.setdefault(who, set()).add(reaction_label(r.emoji))
            evidence.setdefault(who, []).append(f"reaction:{r.id}")
    left = roster.left_between(post.seq, span.end_position)
    for who, source in left.items():
        evidence.setdefault(who, []).append(_event_evidence(flow, source))
    late = _late(flow, roster, index, span, others, verdict, texts, model, evidence)
    read = _reads(roster, others, reads, evidence)
    _listed(roster, post.seq, others, evidence)
    found = _result(message_id, sender, present, others, verdict, left, late, evidence, span)
    return replace(found, read=read)


def _reads(roster: Roster, others: list[int], reads: Sequence[ReadReceipt],
           evidence: dict[int, list[str]]) -> tuple[int, ...]:
    """Members a receipt row shows read the message (whenever they read it)."""
    read: list[int] = []
    for r in reads:
        who = roster.member_of(r.recipient)
        if who in others:
            evidence.setdefault(who, []).append(f"read:{r.source}")
            if who not in read:
                read.append(who)
    return tuple(m for m in others if m in read)


def _listed(roster: Roster, seq: float, others: list[int],
            evidence: dict[int, list[str]]) -> None:
    """Name the member table row for a member present only because the phone lists them."""
    rows = {f"member:{e.id}": e.source for e in roster.flow.events}
    for i in roster.intervals:
        if i.member in others and i.confidence == "listed" and i.covers(seq):
            evidence.setdefault(i.member, []).append(
                f"member:{rows.get(i.start_source, i.start_source)}")


def _labels(posts: Sequence[Post], texts: TextReader, model: RegisterModel) -> dict[int, str]:
    wanted = [p.id for p in posts if p.kind == "text"]
    found = texts(wanted) if wanted else {}
    ids = [i for i in wanted if found.get(i, "").strip()]
    verdicts = model.classify([found[i] for i in ids])
    labels = {p.id: "neutral" for p in posts}
    labels.update({i: v.label for i, v in zip(ids, verdicts, strict=True)})
    return labels


RANKS = frozenset({"pc", "pcso", "sgt", "ds", "dc", "di", "insp", "inspector", "sergeant",
                   "ch", "supt", "special", "psc"})


def first_name(name: str) -> str | None:
    """The first word of a display name that looks like a first name (ranks skipped)."""
    for word in re.findall(r"[^\W\d_][\w'-]*", name):
        if word.lower() not in RANKS and len(word) >= 3 and word[0].isupper():
            return str(word)
    return None


def _addressed_elsewhere(roster: Roster, message: Post, posts: Sequence[Post],
                         labels: dict[int, str], texts: TextReader) -> None:
    """An endorsing reply that names another member ("nice one Sam") answers that member,
    unless the message itself names them (its target)."""
    candidates = [p for p in posts if labels.get(p.id) == "endorse"]
    if not candidates:
        return
    found = texts([message.id, *(p.id for p in candidates)])
    original = found.get(message.id, "").casefold()
    sender = roster.member_of(message.sender)
    for p in candidates:
        poster = roster.member_of(p.sender)
        for member, who in roster.members.items():
            first = first_name(who.name)
            if member in (sender, poster) or first is None or first.casefold() in original:
                continue
            if re.search(rf"\b{re.escape(first)}\b", found.get(p.id, ""), re.IGNORECASE):
                labels[p.id] = "neutral"
                break


def _late(flow: Flow, roster: Roster, index: int, span: _Span, others: list[int],
          verdict: dict[int, set[str]], texts: TextReader, model: RegisterModel,
          evidence: dict[int, list[str]]) -> list[int]:
    post = flow.posts[index]
    later = [p for p in _attributed(_late_posts(flow, index, span), post.id, set())
             if roster.member_of(p.sender) in others]
    labels = _labels(later, texts, model)
    late: list[int] = []
    for p in later:
        who = roster.member_of(p.sender)
        if labels[p.id] == "challenge" and who is not None and "challenge" not in verdict.get(
                who, set()):
            late.append(who)
            evidence.setdefault(who, []).append(f"late:{p.id}")
    return list(dict.fromkeys(late))


def _event_evidence(flow: Flow, source: str) -> str:
    event_id = int(source.split(":", 1)[1])
    event = next(e for e in flow.events if e.id == event_id)
    return str(event.message_id) if event.message_id is not None else f"membership:{event.id}"


def _result(message_id: int, sender: int | None, present: list[int], others: list[int],
            verdict: dict[int, set[str]], left: dict[int, str], late: list[int],
            evidence: dict[int, list[str]], span: _Span) -> Responses:
    def having(label: str) -> tuple[int, ...]:
        return tuple(m for m in others if _final(verdict.get(m)) == label)

    return Responses(
        message_id, sender, tuple(present), having("endorse"), having("challenge"),
        having("neutral"), having("silent"), tuple(m for m in others if m in left),
        tuple(late), {m: tuple(v) for m, v in evidence.items() if m in others}, span.end_time)


def _final(labels: set[str] | None) -> str:
    """A member who challenged at all challenged; else one who endorsed endorsed."""
    if not labels:
        return "silent"
    for label in ("challenge", "endorse"):
        if label in labels:
            return label
    return "neutral"
