"""The staff register (vetting): people, their declared identifiers, links to participants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, delete, insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit
from conductlens.review._ids import inserted_id
from conductlens.review.identifiers import (
    DEFAULT_REGION,
    KINDS,
    LABELS,
    LEGACY_KINDS,
    PHONE_KINDS,
    is_phone,
    normalise,
    to_e164,
)
from conductlens.store import tables as t
from conductlens.store.tables_review import identifiers, participant_links, people

__all__ = ["KINDS", "Identifier", "Person", "add_person", "declare", "to_e164"]


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    staff_number: str
    name: str
    force: str
    team: str | None
    role: str | None


@dataclass(frozen=True, slots=True)
class Identifier:
    """One declared account or identifier, as stored (``value`` normalised)."""

    id: int
    person_id: int
    kind: str
    platform: str
    value: str
    declared_on: date | None

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind)


def add_person(
    conn: Connection, staff_number: str, name: str, force: str,
    team: str | None = None, role: str | None = None,
) -> int:
    found = conn.scalar(select(people.c.id).where(people.c.staff_number == staff_number))
    if found is not None:
        return int(found)
    result = conn.execute(insert(people).values(
        staff_number=staff_number, name=name, force=force, team=team or None, role=role or None,
    ))
    return inserted_id(result)


def _holder(conn: Connection, kind: str, value: str) -> tuple[int, str, str] | None:
    """Who already declared this value: the same kind, or any phone kind for a number (a
    number is one phone whichever app it was declared for)."""
    kinds = PHONE_KINDS if kind in PHONE_KINDS and is_phone(value) else (kind,)
    row = conn.execute(select(identifiers.c.person_id, people.c.staff_number, identifiers.c.kind)
                       .join(people, people.c.id == identifiers.c.person_id)
                       .where(identifiers.c.kind.in_(kinds), identifiers.c.value == value)
                       .order_by(identifiers.c.id)).first()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


def declare(conn: Connection, person_id: int, kind: str, value: str,
            declared_on: date | None = None, region: str = DEFAULT_REGION) -> str:
    """Record an identifier a person declared: ``added``, ``dated`` (known, date now set) or
    ``known``; a one-line error if it is not valid or another person declared it."""
    norm = normalise(kind, value, region)
    held = _holder(conn, kind, norm)
    if held is not None and held[0] != person_id:
        raise ConductLensError(f"{norm} is already declared by {held[1]} "
                               f"(as {LABELS.get(held[2], held[2])})")
    row = conn.execute(select(identifiers.c.id, identifiers.c.declared_on).where(
        identifiers.c.person_id == person_id, identifiers.c.kind == kind,
        identifiers.c.value == norm)).first()
    if row is None:
        platform = "any" if kind in ("phone", "email") else kind
        conn.execute(insert(identifiers).values(person_id=person_id, kind=kind,
                                                platform=platform, value=norm,
                                                declared_on=declared_on))
        return "added"
    if row[1] is None and declared_on is not None:
        conn.execute(update(identifiers).where(identifiers.c.id == row[0])
                     .values(declared_on=declared_on))
        return "dated"
    return "known"


def add_identifier(conn: Connection, person_id: int, kind: str, value: str,
                   declared_on: date | None, actor: str, region: str = DEFAULT_REGION) -> str:
    """``declare`` for one identifier entered by hand, audited (the value is not logged)."""
    if conn.scalar(select(people.c.id).where(people.c.id == person_id)) is None:
        raise ConductLensError(f"no person {person_id} in the register")
    outcome = declare(conn, person_id, kind, value, declared_on, region)
    audit.append(conn, audit.AuditEvent(
        actor, "register.declare", object_ids={"person": [person_id]},
        detail={"kind": kind, "outcome": outcome,
                "declared_on": declared_on.isoformat() if declared_on else None}))
    return outcome


def remove_identifier(conn: Connection, person_id: int, kind: str, value: str, actor: str,
                      region: str = DEFAULT_REGION) -> int:
    """Remove one identifier ``person_id`` declared (written in any form ``declare`` takes),
    audited without the value; returns how many participant links it had made. Those links
    stand (they were right when made, and the case pages rely on them) and still say they
    came from a declared identifier; a wrong one is unlinked by request, as ever. A one-line
    error when the person did not declare it."""
    norm = (value.strip().lstrip("@").casefold() if kind in LEGACY_KINDS
            else normalise(kind, value, region))
    iid = conn.scalar(select(identifiers.c.id).where(
        identifiers.c.person_id == person_id, identifiers.c.kind == kind,
        identifiers.c.value == norm))
    staff = conn.scalar(select(people.c.staff_number).where(people.c.id == person_id))
    if iid is None:
        raise ConductLensError(f"{staff or person_id} has not declared {LABELS.get(kind, kind)} "
                               f"{norm} (see register list)")
    kept = conn.execute(update(participant_links).where(
        participant_links.c.identifier_id == iid).values(identifier_id=None)).rowcount
    conn.execute(delete(identifiers).where(identifiers.c.id == iid))
    audit.append(conn, audit.AuditEvent(
        actor, "register.remove", object_ids={"person": [person_id], "identifier": [int(iid)]},
        detail={"kind": kind, "links_kept": int(kept or 0)}))
    return int(kept or 0)


def list_people(conn: Connection) -> list[Person]:
    rows = conn.execute(select(people).order_by(people.c.name)).mappings()
    return [Person(r["id"], r["staff_number"], r["name"], r["force"], r["team"], r["role"])
            for r in rows]


def person_identifiers(conn: Connection, person_id: int) -> list[Identifier]:
    """What ``person_id`` declared, in the order it was recorded."""
    rows = conn.execute(select(identifiers).where(identifiers.c.person_id == person_id)
                        .order_by(identifiers.c.id)).mappings()
    return [Identifier(r["id"], r["person_id"], r["kind"], r["platform"], r["value"],
                       r["declared_on"]) for r in rows]


def declared_phones(conn: Connection) -> list[tuple[int, str]]:
    """(person id, E.164) of every phone number declared, whichever app it was for."""
    rows = conn.execute(select(identifiers.c.person_id, identifiers.c.value)
                        .where(identifiers.c.kind.in_(PHONE_KINDS)))
    return [(int(p), str(v)) for p, v in rows if is_phone(str(v))]


def insert_link(conn: Connection, participant: int, person: int, method: str, actor: str,
                identifier: int | None = None, matched_on: str | None = None) -> None:
    conn.execute(insert(participant_links).values(
        participant_id=participant, person_id=person, method=method, created_by=actor,
        created_at=datetime.now(UTC), identifier_id=identifier, matched_on=matched_on,
    ))


def link(conn: Connection, participant: int, person: int, actor: str, reason: str,
         case_id: int | None = None) -> None:
    """Manually link a participant to a person (replacing any link), audited."""
    conn.execute(delete(participant_links).where(participant_links.c.participant_id == participant))
    insert_link(conn, participant, person, "manual", actor)
    audit.append(conn, audit.AuditEvent(
        actor, "link.manual", case_id, {"participant": [participant], "person": [person]},
        reason,
    ))


def unlink(conn: Connection, participant: int, actor: str, reason: str,
           case_id: int | None = None) -> None:
    conn.execute(delete(participant_links).where(participant_links.c.participant_id == participant))
    audit.append(conn, audit.AuditEvent(
        actor, "link.remove", case_id, {"participant": [participant]}, reason
    ))


@dataclass(frozen=True, slots=True)
class LinkSource:
    """Where one participant link came from: the exhibit, how it was made and, for a link
    by identifier, which declared identifier matched what of the participant's record."""

    person_id: int
    participant_id: int
    exhibit: str
    method: str  # identifier | manual
    identifier: Identifier | None
    matched_on: str | None
    created_by: str
    created_at: datetime

    @property
    def how(self) -> str:
        if self.method != "identifier":
            return "linked by hand (approved request)"
        if self.identifier is None:
            # ``matched_on`` is written with every link since 0019; its identifier may have
            # been removed from the register since (``remove_identifier``).
            return ("matched by a declared identifier (recorded before 0019)"
                    if self.matched_on is None else "matched by a declared identifier since "
                    f"removed from the register, on the participant's {self.matched_on}")
        when = (f", declared {self.identifier.declared_on.isoformat()}"
                if self.identifier.declared_on else "")
        return (f"matched by the declared {self.identifier.label} identifier{when}, "
                f"on the participant's {self.matched_on or 'record'}")


def link_sources(conn: Connection, *, person_id: int | None = None,
                 exhibit_ids: list[int] | None = None) -> list[LinkSource]:
    """The links of one person, or of the participants of some exhibits."""
    lk, ids = participant_links.c, identifiers.c
    query = (select(lk.person_id, lk.participant_id, t.exhibits.c.reference, lk.method,
                    lk.matched_on,
                    lk.created_by, lk.created_at, ids.id, ids.kind, ids.platform, ids.value,
                    ids.declared_on)
             .join(t.participants, t.participants.c.id == lk.participant_id)
             .join(t.exhibits, t.exhibits.c.id == t.participants.c.exhibit_id)
             .outerjoin(identifiers, ids.id == lk.identifier_id)
             .order_by(t.exhibits.c.reference, lk.id))
    if person_id is not None:
        query = query.where(lk.person_id == person_id)
    if exhibit_ids is not None:
        query = query.where(t.participants.c.exhibit_id.in_(exhibit_ids))
    out = []
    for row in conn.execute(query):
        pid, part, ref, method, on, by, at, iid, kind, platform, value, declared = row
        ident = (Identifier(int(iid), int(pid), kind, platform, value, declared)
                 if iid is not None else None)
        out.append(LinkSource(int(pid), int(part), str(ref), str(method), ident, on, str(by),
                              at))
    return out
