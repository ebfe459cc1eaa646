"""Stable per-case pseudonyms for everyone who is not a subject, and unmasking.

A participant's *identity* is the register person they are linked to (``person:N``), else
their phone number in E.164 (``phone:+44...``), else the participant row
(``participant:N``), so one bystander seen in two exhibits gets one pseudonym. Where exhibits
hold the same conversation (a phone database and its text export, several members' phones),
participants that ``store.groups.people_across_exhibits`` finds to be one person (same phone,
else same shown name in the linked chat) share the strongest identity among them. Numbers are
given in order of first appearance (lowest message id), stored per participant, and never
change once given: linking, unlinking or merging later renumbers no one, so comparing pages
before and after a change tells nothing. An unmasking names a number, never an identity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit
from conductlens.review._ids import inserted_id, pairs
from conductlens.review.cases import exhibit_ids
from conductlens.review.redact import Masked, Redactor
from conductlens.review.register import declared_phones, to_e164
from conductlens.store import tables as t
from conductlens.store.groups import people_across_exhibits
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
    identity: str  # person:N | phone:+44.. | participant:N, from the links in force now
    person_id: int | None
    real_name: str
    names: tuple[str, ...]  # how they may appear inside text: the contact name
    phone: str | None


# How a WhatsApp text export names the phone's owner (``ingest._whatsapp_emit.OWNER``): a
# word, not a name, so "you" in a message is never masked as the owner's pseudonym.
OWNER_SELF = "You"


def _participants(conn: Connection, case_id: int) -> dict[int, _Who]:
    ids = exhibit_ids(conn, case_id)
    rows = conn.execute(
        select(t.participants.c.id, t.participants.c.name, t.participants.c.phone,
               t.participants.c.key, participant_links.c.person_id, people.c.name,
               t.participants.c.is_owner)
        .outerjoin(participant_links, participant_links.c.participant_id == t.participants.c.id)
        .outerjoin(people, people.c.id == participant_links.c.person_id)
        .where(t.participants.c.exhibit_id.in_(ids))
    ).all()
    out = {}
    for pid, name, phone, key, person_id, person_name, is_owner in rows:
        e164 = to_e164(phone) if phone else None
        identity = (f"person:{person_id}" if person_id is not None
                    else f"phone:{e164}" if e164 else f"participant:{pid}")
        real = person_name or name or phone or key
        # The contact name belongs to the participant; a linked register name is masked as
        # the register person (``person:N``), so a later link or unlink changes no text.
        in_text = name if name and not (is_owner and name == OWNER_SELF) else None
        out[int(pid)] = _Who(identity, person_id, real, (in_text,) if in_text else (), phone)
    return _one_per_person(out, people_across_exhibits(conn, ids))


def _one_per_person(who: dict[int, _Who], across: dict[int, str]) -> dict[int, _Who]:
    """Give the participants found to be one person across exhibits one identity: their
    register person if exactly one is linked, else a phone, else the first participant's.
    Two different register people are never merged (the register outranks a name match)."""
    groups: dict[str, list[int]] = {}
    for pid in sorted(who):
        groups.setdefault(across.get(pid, f"participant:{pid}"), []).append(pid)
    out = dict(who)
    for members in groups.values():
        kinds = {who[p].identity for p in members}
        registered = {i for i in kinds if i.startswith("person:")}
        if len(members) < 2 or len(registered) > 1:
            continue
        chosen = (next(iter(registered)) if registered
                  else min((i for i in kinds if i.startswith("phone:")), default=None)
                  or who[members[0]].identity)
        for p in members:
            if who[p].identity != chosen:
                out[p] = _Who(chosen, who[p].person_id, who[p].real_name, who[p].names,
                              who[p].phone)
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


def _numbers(conn: Connection, case_id: int) -> dict[str, int]:
    return pairs(conn.execute(select(pseudonyms.c.identity, pseudonyms.c.number)
                              .where(pseudonyms.c.case_id == case_id)).all())


def assign(conn: Connection, case_id: int, who: dict[int, _Who] | None = None) -> None:
    """Give every participant of the case a number it keeps for good (append-only).

    The number is stored per participant (``participant:N``), so a later link, unlink or
    merge never renumbers anyone; a participant who shares an identity (register person,
    phone) with one already numbered gets that number. ``who`` is the case's participants
    when the caller has read them already."""
    who = who if who is not None else _participants(conn, case_id)
    have = _numbers(conn, case_id)
    if all(f"participant:{pid}" in have for pid in who):
        # Everyone is numbered already (every page after the first): finding first
        # appearances groups all of the case's messages, a cost that grows with the store.
        return
    nxt = max(have.values(), default=0) + 1
    for pid in _first_seen(conn, case_id):
        own = f"participant:{pid}"
        if own in have:
            continue
        number = have.get(who[pid].identity)
        if number is None:
            number, nxt = nxt, nxt + 1
        for key in dict.fromkeys((own, who[pid].identity)):
            if key not in have:
                conn.execute(insert(pseudonyms).values(case_id=case_id, identity=key,
                                                       number=number))
                have[key] = number


def _unmasked_numbers(conn: Connection, case_id: int, numbers: dict[str, int]) -> set[int]:
    approved = conn.scalars(select(unmask_requests.c.identity).where(
        unmask_requests.c.case_id == case_id, unmask_requests.c.status == "approved"))
    out = set()
    for identity in approved:
        if identity.startswith("number:"):
            out.add(int(identity.split(":", 1)[1]))
        elif identity in numbers:  # requests made before numbers were per participant
            out.add(numbers[identity])
    return out


class Namer:
    """How each participant of one case is shown to reviewers of that case, and how people
    are masked inside text (``redact``, ``mask``).

    ``shown``, when given, replaces the case's unmaskings with exactly those pseudonym
    numbers: a disclosure to a recipient (``review.recipients``) names only whom a
    supervisor approved for that recipient, never whom the reviewers had unmasked."""

    def __init__(self, conn: Connection, case_id: int, subject_ids: Iterable[int], *,
                 shown: Iterable[int] | None = None) -> None:
        self._who = _participants(conn, case_id)
        assign(conn, case_id, self._who)  # one read of the participants serves both
        self._conn, self._case_id = conn, case_id
        self._numbers = _numbers(conn, case_id)
        self._subjects = {f"person:{i}" for i in subject_ids}
        self._unmasked = (set(shown) if shown is not None
                          else _unmasked_numbers(conn, case_id, self._numbers))
        self._redactor = self._build_redactor()

    def _number_of(self, key: str) -> int:
        """The number of ``key``, given now (and kept) if it has none: a mention of a
        register person who takes no part in the case."""
        if key not in self._numbers:
            number = max(self._numbers.values(), default=0) + 1
            self._conn.execute(insert(pseudonyms).values(case_id=self._case_id, identity=key,
                                                         number=number))
            self._numbers[key] = number
        return self._numbers[key]

    def _shown(self, key: str, person: str) -> bool:
        return person in self._subjects or (
            key in self._numbers and self._numbers[key] in self._unmasked)

    def name(self, participant_id: int | None) -> DisplayName:
        if participant_id is None or participant_id not in self._who:
            return DisplayName("System", "unknown", "")
        who = self._who[participant_id]
        key = f"participant:{participant_id}"
        if who.identity in self._subjects:
            return DisplayName(who.real_name, "subject", key)
        if self._numbers.get(key) in self._unmasked:
            return DisplayName(who.real_name, "unmasked", key)
        return DisplayName(self.pseudonym(key), "pseudonym", key)

    def pseudonym(self, key: str) -> str:
        return f"Participant {self._number_of(key):02d}"

    def number(self, participant_id: int) -> int:
        return self._number_of(f"participant:{participant_id}")

    def identities(self) -> list[DisplayName]:
        """Each pseudonym once, as shown (for choosing whom to ask to unmask)."""
        seen: dict[str, DisplayName] = {}
        for pid in sorted(self._who):
            shown = self.name(pid)
            seen.setdefault(shown.label, shown)
        return sorted(seen.values(), key=lambda d: (d.kind, d.label))

    def shown_as(self, label: str) -> list[int]:
        """The participants shown as ``label`` (any case): a sender filter typed as seen."""
        want = label.strip().casefold()
        return [pid for pid in sorted(self._who) if self.name(pid).label.casefold() == want]

    def _label(self, key: str) -> str | None:
        """The replacement for a mention of ``key`` inside text, or None when shown."""
        if key.startswith("participant:"):
            shown = self.name(int(key.split(":", 1)[1]))
            return shown.label if shown.masked else None
        return None if self._shown(key, key) else self.pseudonym(key)

    def _peek(self, key: str) -> str | None:
        if key.startswith("participant:") or key in self._numbers:
            return self._label(key)
        return None if self._shown(key, key) else key

    def _build_redactor(self) -> Redactor:
        redactor = Redactor(self._label, self._peek)
        for pid, who in self._who.items():
            key = f"participant:{pid}"
            for name in who.names:
                redactor.add_name(name, key, contact=True)
            redactor.add_phone(who.phone, key)
        for person_id, name in self._conn.execute(select(people.c.id, people.c.name)):
            redactor.add_name(str(name), f"person:{person_id}")
        # Every declared number (phone, WhatsApp, Signal, Telegram) masks as its person.
        for person_id, value in declared_phones(self._conn):
            redactor.add_phone(value, f"person:{person_id}")
        return redactor

    def name_words(self) -> set[str]:
        """The words masking may take out of a text (every known name's, masked or not)."""
        return self._redactor.name_words()

    def mask(self, text: str) -> Masked:
        """``text`` with every mention of a masked person replaced, and where."""
        return self._redactor.mask(text)

    def redact(self, text: str) -> str:
        """Replace masked people's names (whole, first or last alone, any case) and phone
        numbers (any format) inside ``text``; unknown phone numbers are withheld too."""
        return self._redactor.mask(text).text


def request_unmask(conn: Connection, case_id: int, number: int, reason: str,
                   actor: str) -> int:
    """Ask to identify "Participant ``number``" (identities never leave the store)."""
    if len(reason.strip()) < 10:
        raise ConductLensError("explain why this person must be identified")
    require_number(conn, case_id, number)
    rid = inserted_id(conn.execute(insert(unmask_requests).values(
        case_id=case_id, identity=f"number:{number}", reason=reason.strip(), status="requested",
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


def require_number(conn: Connection, case_id: int, number: int) -> None:
    """Refuse a pseudonym number no participant of the case is shown under."""
    assign(conn, case_id)
    shown = conn.scalar(select(pseudonyms.c.id).where(
        pseudonyms.c.case_id == case_id, pseudonyms.c.number == number,
        pseudonyms.c.identity.like("participant:%")))
    if shown is None:
        raise ConductLensError("no such participant in this case")


def participants_numbered(conn: Connection, case_id: int, number: int) -> list[int]:
    """The participants shown as "Participant ``number``"."""
    keys = conn.scalars(select(pseudonyms.c.identity).where(
        pseudonyms.c.case_id == case_id, pseudonyms.c.number == number,
        pseudonyms.c.identity.like("participant:%")))
    return sorted(int(k.split(":", 1)[1]) for k in keys)


def unmask_list(conn: Connection, case_id: int) -> list[dict[str, object]]:
    """Requests for the case, each naming its pseudonym; the identity itself is left out."""
    numbers = _numbers(conn, case_id)
    rows = conn.execute(select(unmask_requests).where(unmask_requests.c.case_id == case_id)
                        .order_by(unmask_requests.c.id.desc())).mappings()
    out = []
    for r in rows:
        item = {k: v for k, v in r.items() if k != "identity"}
        ident = str(r["identity"])
        number = (int(ident.split(":", 1)[1]) if ident.startswith("number:")
                  else numbers.get(ident, 0))
        item["pseudonym"] = f"Participant {number:02d}"
        out.append(item)
    return out
