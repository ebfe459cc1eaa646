"""Cases: reference, allegation, subjects, exhibits, status, hours and notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import Connection, Select, func, insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit, counts, teams
from conductlens.review._ids import inserted_id
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of
from conductlens.store.tables_review import (
    case_details,
    case_hours,
    case_notes,
    case_origins,
    case_subjects,
    people,
)


class CaseStatus(StrEnum):
    OPENED = "opened"
    SCOPE_AUTHORISED = "scope_authorised"
    UNDER_REVIEW = "under_review"
    FINDINGS_RECORDED = "findings_recorded"
    OUTCOME = "outcome"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    reference: str
    allegation: str
    status: CaseStatus
    opened_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExhibitInfo:
    id: int
    reference: str
    original_name: str
    sha256: str
    format: str
    messages: int


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    id: int
    exhibit_reference: str
    title: str
    is_group: bool
    messages: int


class ReferenceTaken(ConductLensError):
    """A reference that cannot be opened by this user: worded the same whether the case is
    open, was created by someone else's ingest, or is already the user's own."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"the reference {reference!r} cannot be used for a new case; "
                         "choose another")


def open_case(conn: Connection, reference: str, allegation: str, actor: str) -> int:
    """Open a case (or give details to one the actor's own ingest created); audited. The
    opener joins its team. A case an ingest created belongs to that ingest's user
    (``case_origins``): anyone else is refused exactly as for a case already open."""
    reference = reference.strip()
    if not reference or not allegation.strip():
        raise ConductLensError("a case needs a reference and an allegation summary")
    cid = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == reference))
    if cid is None:
        cid = inserted_id(conn.execute(insert(t.cases).values(
            reference=reference, created_at=datetime.now(UTC))))
        record_origin(conn, cid, actor, "web")
    elif not _may_claim(conn, int(cid), actor):
        raise ReferenceTaken(reference)
    conn.execute(insert(case_details).values(
        case_id=cid, allegation=allegation.strip(), status=CaseStatus.OPENED.value,
        opened_by=actor))
    audit.append(conn, audit.AuditEvent(actor, "case.open", int(cid), {"case": [int(cid)]},
                                        detail={"reference": reference}))
    teams.join_as_opener(conn, int(cid), actor)
    return int(cid)


def _may_claim(conn: Connection, case_id: int, actor: str) -> bool:
    """A case row without details may be opened by the user whose ingest created it (the
    command line records ``cli:NAME``; the web account ``NAME`` is the same person)."""
    if conn.scalar(select(case_details.c.case_id).where(case_details.c.case_id == case_id)):
        return False
    creator = conn.scalar(select(case_origins.c.created_by)
                          .where(case_origins.c.case_id == case_id))
    return creator is not None and str(creator).removeprefix("cli:") == actor


def record_origin(conn: Connection, case_id: int, created_by: str, via: str) -> None:
    """Record who brought case ``case_id`` into being (once; later calls change nothing)."""
    if conn.scalar(select(case_origins.c.case_id).where(case_origins.c.case_id == case_id)):
        return
    conn.execute(insert(case_origins).values(case_id=case_id, created_by=created_by, via=via,
                                             created_at=datetime.now(UTC)))


def _case_query() -> Select[tuple[object, ...]]:
    return select(t.cases, case_details.c.allegation, case_details.c.status,
                  case_details.c.opened_by).join(
        case_details, case_details.c.case_id == t.cases.c.id)


def _case(row: object) -> Case:
    m = row._mapping  # type: ignore[attr-defined]
    return Case(m["id"], m["reference"], m["allegation"], CaseStatus(m["status"]),
                m["opened_by"], m["created_at"])


def find_case(conn: Connection, case_id: int) -> Case:
    row = conn.execute(_case_query().where(t.cases.c.id == case_id)).first()
    if row is None:
        raise ConductLensError(f"no case {case_id}")
    return _case(row)


def list_cases(conn: Connection) -> list[Case]:
    return [_case(r) for r in conn.execute(_case_query().order_by(t.cases.c.id))]


def set_status(conn: Connection, case_id: int, status: CaseStatus, actor: str) -> None:
    conn.execute(update(case_details).where(case_details.c.case_id == case_id)
                 .values(status=status.value))
    audit.append(conn, audit.AuditEvent(actor, "case.status", case_id, {"case": [case_id]},
                                        detail={"status": status.value}))


def add_subject(conn: Connection, case_id: int, person_id: int, actor: str) -> None:
    if conn.scalar(select(people.c.id).where(people.c.id == person_id)) is None:
        raise ConductLensError(f"no person {person_id} in the register")
    exists = conn.scalar(select(case_subjects.c.id).where(
        case_subjects.c.case_id == case_id, case_subjects.c.person_id == person_id))
    if exists is None:
        conn.execute(insert(case_subjects).values(case_id=case_id, person_id=person_id))
        audit.append(conn, audit.AuditEvent(actor, "case.subject", case_id,
                                            {"person": [person_id]}))


def subjects(conn: Connection, case_id: int) -> list[tuple[int, str, str]]:
    """(person id, staff number, name) of the case's subjects."""
    rows = conn.execute(select(people.c.id, people.c.staff_number, people.c.name)
                        .join(case_subjects, case_subjects.c.person_id == people.c.id)
                        .where(case_subjects.c.case_id == case_id).order_by(people.c.name))
    return [(int(i), str(s), str(n)) for i, s, n in rows]


# What investigation hours are spent on (key facts count hours per case, person and activity).
ACTIVITIES = ("assessment", "evidence_review", "interview", "disclosure", "report_writing",
              "meeting_or_hearing", "other")


def log_hours(conn: Connection, case_id: int, actor: str, hours: float, note: str = "",
              activity: str | None = None, worked_on: date | None = None) -> None:
    if not 0 < hours <= 24:
        raise ConductLensError("hours must be between 0 and 24 per entry")
    if activity is not None and activity not in ACTIVITIES:
        raise ConductLensError(f"activity must be one of {', '.join(ACTIVITIES)}")
    conn.execute(insert(case_hours).values(case_id=case_id, username=actor, hours=hours,
                                           note=note or None, logged_at=datetime.now(UTC),
                                           activity=activity, worked_on=worked_on))
    audit.append(conn, audit.AuditEvent(actor, "case.hours", case_id, detail={"hours": hours}))


def add_note(conn: Connection, case_id: int, actor: str, text: str) -> None:
    if not text.strip():
        raise ConductLensError("a note needs some text")
    result = conn.execute(insert(case_notes).values(
        case_id=case_id, username=actor, text=text.strip(), created_at=datetime.now(UTC)))
    audit.append(conn, audit.AuditEvent(actor, "case.note", case_id,
                                        {"note": [inserted_id(result)]}))


def notes(conn: Connection, case_id: int) -> list[tuple[str, datetime, str]]:
    rows = conn.execute(select(case_notes.c.username, case_notes.c.created_at, case_notes.c.text)
                        .where(case_notes.c.case_id == case_id).order_by(case_notes.c.id))
    return [(str(u), c, str(x)) for u, c, x in rows]


def exhibits(conn: Connection, case_id: int) -> list[ExhibitInfo]:
    """The case's exhibits, each with its message count (once per state of the store)."""
    e = t.exhibits.c
    rows = conn.execute(select(e.id, e.reference, e.original_name, e.sha256, e.format)
                        .where(e.id.in_(exhibits_of(case_id))).order_by(e.id)).all()
    ids = [int(r[0]) for r in rows]

    def count() -> dict[int, int]:
        m = t.messages.c
        return {int(x): int(n) for x, n in conn.execute(
            select(m.exhibit_id, func.count()).where(m.exhibit_id.in_(ids))
            .group_by(m.exhibit_id))}
    sizes = counts.kept(conn, ("exhibit sizes", case_id), count)
    return [ExhibitInfo(int(r[0]), r[1], r[2], r[3], r[4], sizes.get(int(r[0]), 0))
            for r in rows]


def exhibit_ids(conn: Connection, case_id: int) -> list[int]:
    return [int(i) for i in conn.scalars(
        exhibits_of(case_id))]


def conversations(conn: Connection, case_id: int) -> list[ConversationInfo]:
    """Conversations in the case's exhibits (titles are metadata, shown for scoping), each
    with its size (counted once per state of the store: ``counts``)."""
    rows = conn.execute(select(t.conversations.c.id, t.exhibits.c.reference,
                               t.conversations.c.title, t.conversations.c.key,
                               t.conversations.c.is_group)
                        .join(t.exhibits, t.exhibits.c.id == t.conversations.c.exhibit_id)
                        .where(t.exhibits.c.id.in_(exhibits_of(case_id)))
                        .order_by(t.conversations.c.id)).all()
    ids = [int(r[0]) for r in rows]

    def count() -> dict[int, int]:
        m = t.messages.c
        return {int(c): int(n) for c, n in conn.execute(
            select(m.conversation_id, func.count()).where(m.conversation_id.in_(ids))
            .group_by(m.conversation_id))}
    sizes = counts.kept(conn, ("conversation sizes", case_id), count)
    # A one-to-one chat is usually titled with the other person's name: never shown.
    return [ConversationInfo(int(r[0]), r[1], (r[2] or r[3]) if r[4] else f"One-to-one chat {r[0]}",
                             bool(r[4]), int(sizes.get(int(r[0]), 0))) for r in rows]
