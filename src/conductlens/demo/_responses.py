"""More of the group's response to each planted incident (internal to the scenario builder).

Beyond the laughs, challenge and leave of :mod:`conductlens.demo._scenes`, a scene may get an
approving reply in words, a second challenger who says they will report it, a member posting
about something else inside the response window, and (for silences) a challenge the next
morning, outside the window. A separate seeded generator drives these, so the rest of the
scenario is the same as without them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from conductlens.demo._timeline import Timeline, minutes

APPROVALS: tuple[str, ...] = (
    "Only saying what we're all thinking",
    "Ha, can't argue with that",
    "Accurate 😂",
    "This is why I love this group 😂",
    "Say it louder for the people at the back",
)
REPORTS: tuple[str, ...] = (
    "Screenshotted. The inspector will be seeing this",
    "Not acceptable. I'm raising it with PSD tomorrow",
    "I'm reporting that, it's disgusting",
)
ASIDES: tuple[str, ...] = (
    "Anyone know if the custody suite has reopened?",
    "Who's got van 2 tonight?",
    "Back at the nick in 10, need a statement form",
    "Can someone sign my overtime sheet before Friday?",
    "Traffic's horrific on the ring road, avoid",
)
LATE_CHALLENGES: tuple[str, ...] = (
    "Been thinking about what was posted last night. It wasn't right and it needs deleting",
    "That message yesterday was out of order. Delete it please",
)


@dataclass(frozen=True, slots=True)
class Extras:
    """Who else responded, and the provisional ids of their messages."""

    approvers: tuple[str, ...] = ()
    approval_ids: tuple[int, ...] = ()
    reporters: tuple[str, ...] = ()
    report_ids: tuple[int, ...] = ()
    neutral: tuple[str, ...] = ()
    neutral_ids: tuple[int, ...] = ()
    late_challengers: tuple[str, ...] = ()
    late_ids: tuple[int, ...] = ()


def _pick(tl: Timeline, side: random.Random, pool: list[str], at: datetime) -> str | None:
    ready = [m for m in pool if tl.is_member(m, at)]
    return side.choice(ready) if ready else None


def _say(tl: Timeline, side: random.Random, pool: list[str], at: datetime, phrases: tuple[
        str, ...], reply_to: int | None) -> tuple[str, int] | None:
    who = _pick(tl, side, pool, at)
    if who is None:
        return None
    pool.remove(who)
    return who, tl.message(at, who, side.choice(phrases), reply_to=reply_to)


def add_responses(tl: Timeline, side: random.Random, response: str, parent: int,
                  when: datetime, free: list[str]) -> Extras:
    """Plant the extra responses to the incident ``parent`` posted at ``when``; ``free`` are
    present members who have not responded yet (it is consumed)."""
    found: dict[str, list[tuple[str, int] | None]] = {"a": [], "r": [], "n": [], "l": []}
    if response in ("laugh", "laugh_leave") and side.random() < 0.6:
        found["a"].append(_say(tl, side, free, when + minutes(side.randint(15, 40)), APPROVALS,
                               parent if side.random() < 0.5 else None))
    if response in ("challenge", "challenge_leave") and side.random() < 0.5:
        found["r"].append(_say(tl, side, free, when + minutes(side.randint(12, 25)), REPORTS,
                               parent))
    if side.random() < 0.7:
        found["n"].append(_say(tl, side, free, when + minutes(side.randint(20, 70)), ASIDES,
                               None))
    if response == "silence" and side.random() < 0.4:
        found["l"].append(_say(tl, side, free, when + minutes(side.randint(240, 600)),
                               LATE_CHALLENGES, None))
    said = {k: [x for x in v if x is not None] for k, v in found.items()}

    def who(k: str) -> tuple[str, ...]:
        return tuple(w for w, _ in said[k])

    def ids(k: str) -> tuple[int, ...]:
        return tuple(i for _, i in said[k])

    return Extras(who("a"), ids("a"), who("r"), ids("r"), who("n"), ids("n"), who("l"),
                  ids("l"))
