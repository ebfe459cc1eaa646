"""Stable per-case pseudonyms for everyone who is not a subject, and unmasking.

A participant's *identity* is the register person they are linked to (``person:N``), else
their phone number in E.164 (``phone:+44...``), else the participant row
(``participant:N``), so one bystander seen in two exhibits gets one pseudonym. Numbers are
given in order of first appearance (lowest message id) and never change once given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit
from conductlens.review._ids import inserted_id, pairs
from conductlens.review.cases import exhibit_ids
from conductlens.review.register import to_e164
from conductlens.store import tables as t
from conductlens.store.tables_review import (
    participant_links,
    people,
    pseudonyms,
    unmask_requests,
)


@dataclass(frozen=True, slots=True)
class DisplayName:
    label: str
    kind: str  # subject | pseudonym | unmasked | unknown
    identity: str

    @property
    def masked(self) -> bool:
        return self.kind == "pseudonym"


@dataclass(frozen=True, slots=True)
class _Who:
    identity: str
    person_id: int | None
    real_name: str
    patterns: tuple[re.Pattern[str], ...]  # how they may appear inside message text


def _participants(conn: Connection, case_id: int) -> dict[int, _Who]:
    first = (select(func.min(t.messages.c.id)).where(t.messages.c.sender_id == t.participants.c.id)
             .scalar_subquery())
    rows = conn.execute(
        select(t.participants.c.id, t.participants.c.name, t.participants.c.phone,
               t.participants.c.key, participant_links.c.person_id, people.c.name, first)
        .outerjoin(participant_links, participant_links.c.participant_id == t.participants.c.id)
        .outerjoin(people, people.c.id == participant_links.c.person_id)
        .where(t.participants.c.exhibit_id.in_(exhibit_ids(conn, case_id)))
    ).all()
    out = {}
    for pid, name, phone, key, person_id, person_name, _first in rows:
        e164 = to_e164(phone) if phone else None
        identity = (f"person:{person_id}" if person_id is not None
                    else f"phone:{e164}" if e164 else f"participant:{pid}")
        real = person_name or name or phone or key
        out[int(pid)] = _Who(identity, person_id, real, _patterns(person_name, name, e164))
    return out


def _first_seen(conn: Connection, case_id: int) -> list[int]:
    """Participant ids in order of first appearance (first message sent, then row id)."""
    first = func.min(t.messages.c.id)
    rows = conn.execute(
        select(t.participants.c.id, first)
        .outerjoin(t.messages, t.messages.c.sender_id == t.participants.c.id)
        .where(t.participants.c.exhibit_id.in_(exhibit_ids(conn, case_id)))
        .group_by(t.participants.c.id)
    ).all()
    big = 1 << 62
    return [int(pid) for pid, m in sorted(rows, key=lambda r: (r[1] or big, r[0]))]


def assign(conn: Connection, case_id: int) -> None:
    """Give a number to every identity in the case that has none yet (append-only)."""
    who = _participants(conn, case_id)
    have: dict[str, int] = pairs(conn.execute(select(pseudonyms.c.identity, pseudonyms.c.number)
                             .where(pseudonyms.c.case_id == case_id)).all())
    nxt = max(have.values(), default=0) + 1
    for pid in _first_seen(conn, case_id):
        identity = who[pid].identity
        if identity not in have:
            conn.execute(insert(pseudonyms).values(case_id=case_id, identity=identity, number=nxt))
            have[identity] = nxt
            nxt += 1


class Namer:
    """How each participant of one case is shown to reviewers of that case."""

    def __init__(self, conn: Connection, case_id: int, subject_ids: Iterable[int]) -> None:
        assign(conn, case_id)
        self._who = _participants(conn, case_id)
        self._numbers = pairs(conn.execute(select(pseudonyms.c.identity, pseudonyms.c.number)
                                          .where(pseudonyms.c.case_id == case_id)).all())
        self._subjects = {f"person:{i}" for i in subject_ids}
        self._unmasked = set(conn.scalars(select(unmask_requests.c.identity).where(
            unmask_requests.c.case_id == case_id, unmask_requests.c.status == "approved")))

    def name(self, participant_id: int | None) -> DisplayName:
        if participant_id is None or participant_id not in self._who:
            return DisplayName("System", "unknown", "")
        who = self._who[participant_id]
        if who.identity in self._subjects:
            return DisplayName(who.real_name, "subject", who.identity)
        if who.identity in self._unmasked:
            return DisplayName(who.real_name, "unmasked", who.identity)
        return DisplayName(self.pseudonym(who.identity), "pseudonym", who.identity)

    def pseudonym(self, identity: str) -> str:
        return f"Participant {self._numbers.get(identity, 0):02d}"

    def identities(self) -> list[DisplayName]:
        """Each identity once, as shown (for choosing whom to ask to unmask)."""
        seen: dict[str, DisplayName] = {}
        for pid in sorted(self._who):
            shown = self.name(pid)
            seen.setdefault(shown.identity, shown)
        return sorted(seen.values(), key=lambda d: (d.kind, d.label))

    def redact(self, text: str) -> str:
        """Replace masked people's known names and phone numbers inside message text.

        Best effort: full names and phone numbers (in any common spacing) are replaced;
        nicknames and first names alone are not, which is why unmasking stays recorded.
        """
        for pid, who in self._who.items():
            if self.name(pid).masked:
                for pattern in who.patterns:
                    text = pattern.sub(self.pseudonym(who.identity), text)
        return text


def _patterns(person_name: str | None, name: str | None, e164: str | None
              ) -> tuple[re.Pattern[str], ...]:
    out = [re.compile(re.escape(n), re.IGNORECASE)
           for n in {person_name, name} if n and len(n) >= 4 and not n.startswith("+")]
    if e164 and e164.startswith("+44"):
        digits = e164[3:]
        out.append(re.compile(r"(?:\+44\s?|0044\s?|0)?" + r"[\s-]?".join(digits)))
    elif e164:
        out.append(re.compile(r"[\s-]?".join(re.escape(c) for c in e164)))
    return tuple(out)


def request_unmask(conn: Connection, case_id: int, number: int, reason: str,
                   actor: str) -> int:
    """Ask to identify "Participant ``number``" (identities never leave the store)."""
    if len(reason.strip()) < 10:
        raise ConductLensError("explain why this person must be identified")
    assign(conn, case_id)
    identity = conn.scalar(select(pseudonyms.c.identity).where(
        pseudonyms.c.case_id == case_id, pseudonyms.c.number == number))
    if identity is None:
        raise ConductLensError("no such participant in this case")
    rid = inserted_id(conn.execute(insert(unmask_requests).values(
        case_id=case_id, identity=identity, reason=reason.strip(), status="requested",
        requested_by=actor, requested_at=datetime.now(UTC))))
    audit.append(conn, audit.AuditEvent(actor, "unmask.request", case_id,
                                        {"unmask": [int(rid)]}, reason.strip(),
                                        {"pseudonym": number}))
    return int(rid)


def decide_unmask(conn: Connection, request_id: int, actor: str, approve: bool,
                  reason: str) -> None:
    row = conn.execute(select(unmask_requests).where(unmask_requests.c.id == request_id)).first()
    if row is None:
        raise ConductLensError(f"no unmasking request {request_id}")
    m = row._mapping
    if m["status"] != "requested":
        raise ConductLensError(f"request {request_id} is already {m['status']}")
    if m["requested_by"] == actor:
        raise ConductLensError("the person who asked cannot approve their own request")
    if len(reason.strip()) < 5:
        raise ConductLensError("give reasons for the decision")
    status = "approved" if approve else "refused"
    conn.execute(update(unmask_requests).where(unmask_requests.c.id == request_id).values(
        status=status, decided_by=actor, decided_at=datetime.now(UTC),
        decision_reason=reason.strip()))
    audit.append(conn, audit.AuditEvent(actor, f"unmask.{'approve' if approve else 'refuse'}",
                                        int(m["case_id"]), {"unmask": [request_id]},
                                        reason.strip()))


def unmask_list(conn: Connection, case_id: int) -> list[dict[str, object]]:
    """Requests for the case, each naming its pseudonym; the identity itself is left out."""
    numbers = pairs(conn.execute(select(pseudonyms.c.identity, pseudonyms.c.number)
                                .where(pseudonyms.c.case_id == case_id)).all())
    rows = conn.execute(select(unmask_requests).where(unmask_requests.c.case_id == case_id)
                        .order_by(unmask_requests.c.id.desc())).mappings()
    out = []
    for r in rows:
        item = {k: v for k, v in r.items() if k != "identity"}
        item["pseudonym"] = f"Participant {numbers.get(r['identity'], 0):02d}"
        out.append(item)
    return out


def _participants_of(conn: Connection, case_id: int, identity: str) -> list[int]:
    return [pid for pid, who in _participants(conn, case_id).items() if who.identity == identity]


def link_pseudonym(conn: Connection, case_id: int, number: int, person_id: int, actor: str,
                   reason: str) -> int:
    """Link everyone shown as "Participant ``number``" to a register person (audited).

    The reviewer asserts an identity; nothing is revealed to them. The linked identity is
    new, so a bystander linked to a non-subject gets a new pseudonym number.
    """
    from conductlens.review import register

    assign(conn, case_id)
    identity = conn.scalar(select(pseudonyms.c.identity).where(
        pseudonyms.c.case_id == case_id, pseudonyms.c.number == number))
    if identity is None:
        raise ConductLensError("no such participant in this case")
    if conn.scalar(select(people.c.id).where(people.c.id == person_id)) is None:
        raise ConductLensError(f"no person {person_id} in the register")
    found = _participants_of(conn, case_id, identity)
    for pid in found:
        register.link(conn, pid, person_id, actor, reason, case_id)
    return len(found)


def unlink_person(conn: Connection, case_id: int, person_id: int, actor: str,
                  reason: str) -> int:
    """Remove the links of this case's participants to ``person_id`` (audited)."""
    from conductlens.review import register

    found = _participants_of(conn, case_id, f"person:{person_id}")
    for pid in found:
        register.unlink(conn, pid, actor, reason, case_id)
    return len(found)
