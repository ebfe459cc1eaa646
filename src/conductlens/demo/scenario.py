"""Deterministic synthetic shift group: "Team 3, Northtown Response", Westshire Police.

:func:`build_scenario` returns a :class:`~conductlens.demo.model.Scenario`: six months
(from Monday 2 March 2026, Europe/London) of rota chatter, jobs, welfare talk, banter and
photos among about 25 officers, with members joining, leaving, being removed, a number
change and two subject changes, plus planted misconduct (see
:mod:`conductlens.demo.incidents`) and the group's reactions to it.

Only a seeded :class:`random.Random` drives it: no wall clock, no hash randomisation, so
the same ``seed`` and ``scale`` always give the same scenario.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conductlens.demo import content
from conductlens.demo._scenes import DraftIncident, plant_hard_negatives, plant_incidents
from conductlens.demo._timeline import Timeline, minutes
from conductlens.demo.model import HardNegative, MessageKind, PlantedIncident, Scenario

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 7, 1, 22, tzinfo=LONDON)
DAYS = 183
GROUP_JID = "120363041726350914@g.us"
MESSAGES_PER_DAY = 22.0
_HOURS = (0, 1, 2, 6, 6, 7, 7, 8, 9, 10, 12, 13, 14, 14, 15, 16, 17, 18, 19, 20, 21, 22, 22, 23)


def build_scenario(seed: int = 7, scale: float = 1.0) -> Scenario:
    """Build the demo scenario; ``scale`` multiplies the routine chatter only."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    rng = random.Random(f"conductlens-demo:{seed}")
    officers = content.roster()
    tl = Timeline(rng)
    _plan_membership(tl)
    side = random.Random(f"conductlens-demo-responses:{seed}")
    incidents = plant_incidents(tl, START, DAYS, side)
    negatives = plant_hard_negatives(tl, START, DAYS)
    for day in range(DAYS):
        _routine_day(tl, START.replace(hour=0, minute=0, second=0) + timedelta(days=day), scale)
    events, reactions, mapping = tl.finalise()
    return Scenario(
        seed=seed,
        scale=scale,
        group_jid=GROUP_JID,
        subject=content.GROUP_SUBJECTS[-1],
        owner=content.OWNER_ID,
        officers=officers,
        events=events,
        reactions=reactions,
        incidents=tuple(_final_incident(d, mapping) for d in incidents),
        hard_negatives=tuple(
            HardNegative(mapping[i], sender, text, why) for i, sender, text, why in negatives
        ),
    )


def _at(day: int, hour: int, minute: int) -> datetime:
    return (START + timedelta(days=day)).replace(hour=hour, minute=minute)


def _plan_membership(tl: Timeline) -> None:
    """Creation, founding members, later joiners and leavers, subject and number changes."""
    subjects = content.GROUP_SUBJECTS
    tl.membership(START, "created", content.CREATOR_ID, new_value=subjects[0])
    for offset, oid in enumerate(content.FOUNDING_IDS[1:]):
        tl.membership(START + timedelta(seconds=5 * (offset + 1)), "added", "o01", oid)
    tl.membership(_at(20, 9, 12), "added", "o02", "o24")
    tl.membership(_at(35, 18, 40), "joined_by_link", "o25")
    tl.membership(_at(45, 8, 3), "subject_changed", "o02", None, subjects[0], subjects[1])
    tl.membership(_at(60, 10, 30), "added", "o01", "o26")
    tl.membership(_at(85, 13, 14), "number_changed", content.NUMBER_CHANGER_ID)
    tl.membership(_at(95, 21, 5), "joined_by_link", "o27")
    tl.membership(_at(110, 11, 0), "removed", "o02", "o21")
    tl.membership(_at(130, 7, 45), "added", "o02", "o28")
    tl.membership(_at(140, 22, 17), "subject_changed", "o01", None, subjects[1], subjects[2])
    tl.membership(_at(150, 16, 20), "left", "o18")


_FIRST_NAMES = {o.id: o.name.split()[0] for o in content.roster()}


def _fill(tl: Timeline, template: str, members: list[str]) -> str:
    return content.fill_template(tl.rng, template, _FIRST_NAMES[tl.rng.choice(members)])


def _template(tl: Timeline) -> tuple[str, MessageKind]:
    """Pick a routine template and its kind (text or media)."""
    roll = tl.rng.random()
    if roll < 0.07:
        return tl.rng.choice(content.PHOTO_CAPTIONS), "media"
    for limit, table in (
        (0.22, content.ROTA),
        (0.42, content.JOBS),
        (0.55, content.WELFARE),
        (0.57, content.MULTILINE),
    ):
        if roll < limit:
            return tl.rng.choice(table), "text"
    return tl.rng.choice(content.BANTER), "text"


def _routine_day(tl: Timeline, midnight: datetime, scale: float) -> None:
    """Generate one day of routine chatter."""
    rng = tl.rng
    count = max(0, round(rng.gauss(MESSAGES_PER_DAY, 6.0) * scale))
    times = sorted(
        midnight.replace(
            hour=rng.choice(_HOURS), minute=rng.randint(0, 59), second=rng.randint(0, 59)
        )
        for _ in range(count)
    )
    today: list[tuple[int, str]] = []
    for when in times:
        members = tl.members_at(when)
        if not members:
            continue
        sender = rng.choice(members)
        today.append((_routine_message(tl, when, sender, members, today), sender))


def _routine_message(
    tl: Timeline, when: datetime, sender: str, members: list[str], today: list[tuple[int, str]]
) -> int:
    rng = tl.rng
    if rng.random() < 0.012:
        return tl.message(when, sender, "", kind="deleted")
    template, kind = _template(tl)
    text = _fill(tl, template, members)
    reply_to = None
    if today and rng.random() < 0.15:
        parent, parent_sender = today[-1]
        if parent_sender != sender:
            reply_to = parent
            text = rng.choice(content.REPLIES) if rng.random() < 0.6 else text
    edited = kind == "text" and rng.random() < 0.03
    message_id = tl.message(when, sender, text, kind=kind, reply_to=reply_to, edited=edited)
    if rng.random() < 0.1:
        _routine_reactions(tl, message_id, when, sender, members)
    return message_id


def _routine_reactions(
    tl: Timeline, message_id: int, when: datetime, sender: str, members: list[str]
) -> None:
    others = [m for m in members if m != sender]
    for offset, who in enumerate(tl.rng.sample(others, k=min(len(others), tl.rng.randint(1, 3)))):
        emoji = tl.rng.choice(("👍", "❤️", "😂", "🙏", "😮"))
        tl.react(message_id, who, emoji, when + minutes(2 + offset * 5))


def _final_incident(draft: DraftIncident, mapping: dict[int, int]) -> PlantedIncident:
    def seq(draft_id: int | None) -> int | None:
        return mapping[draft_id] if draft_id is not None else None

    return PlantedIncident(
        id=f"INC-{draft.index + 1:03d}",
        seq=mapping[draft.message_id],
        sender=draft.sender,
        category=draft.spec.category,
        severity=draft.spec.severity,
        text=draft.text,
        description=draft.spec.description,
        laughed_by=draft.laughed_by,
        laughing_reply_seqs=tuple(mapping[i] for i in draft.laugh_reply_ids),
        challenged_by=draft.challenger,
        challenge_seq=seq(draft.challenge_id),
        left_after=draft.leaver,
        leave_seq=seq(draft.leave_id),
        members_at_time=draft.members,
        approved_by=draft.extras.approvers,
        approval_seqs=tuple(mapping[i] for i in draft.extras.approval_ids),
        reported_by=draft.extras.reporters,
        report_seqs=tuple(mapping[i] for i in draft.extras.report_ids),
        neutral_by=draft.extras.neutral,
        neutral_seqs=tuple(mapping[i] for i in draft.extras.neutral_ids),
        late_challenged_by=draft.extras.late_challengers,
        late_challenge_seqs=tuple(mapping[i] for i in draft.extras.late_ids),
    )
