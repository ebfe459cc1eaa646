"""The staff register (vetting): people, their declared identifiers, links to participants."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import phonenumbers
from sqlalchemy import Connection, Engine, delete, insert, select

from conductlens.errors import ConductLensError
from conductlens.review import audit
from conductlens.review._ids import inserted_id
from conductlens.store import tables as t
from conductlens.store.tables_review import identifiers, participant_links, people

KINDS = ("phone", "username", "email")
CSV_COLUMNS = ("staff_number", "name", "force", "team", "role", "identifiers")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    staff_number: str
    name: str
    force: str
    team: str | None
    role: str | None


def to_e164(value: str, region: str = "GB") -> str | None:
    """A phone number in E.164, or None when it is not a valid number."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_identifier(kind: str, value: str) -> str:
    if kind not in KINDS:
        raise ConductLensError(f"unknown identifier kind {kind!r} (use {', '.join(KINDS)})")
    if kind == "phone":
        e164 = to_e164(value)
        if e164 is None:
            raise ConductLensError(f"{value!r} is not a valid phone number")
        return e164
    return value.strip().lstrip("@").casefold()


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


def declare(conn: Connection, person_id: int, kind: str, platform: str, value: str) -> None:
    """Record an identifier a person declared (idempotent)."""
    norm = normalise_identifier(kind, value)
    platform = platform.strip().casefold() or "any"
    exists = conn.scalar(select(identifiers.c.id).where(
        identifiers.c.kind == kind, identifiers.c.platform == platform,
        identifiers.c.value == norm,
    ))
    if exists is None:
        conn.execute(insert(identifiers).values(
            person_id=person_id, kind=kind, platform=platform, value=norm
        ))


def _parse_identifiers(cell: str) -> list[tuple[str, str, str]]:
    """``phone:whatsapp:+44 7700 900001; username:telegram:@bob`` -> triples."""
    out = []
    for item in filter(None, (p.strip() for p in cell.split(";"))):
        kind, _, rest = item.partition(":")
        platform, _, value = rest.partition(":")
        if not value:
            raise ConductLensError(f"identifier {item!r} is not kind:platform:value")
        out.append((kind.strip(), platform.strip(), value.strip()))
    return out


def import_csv(engine: Engine, data: str, actor: str) -> int:
    """Import people from CSV (columns ``CSV_COLUMNS``); returns rows read. All or nothing."""
    reader = csv.DictReader(io.StringIO(data))
    missing = set(CSV_COLUMNS[:3]) - set(reader.fieldnames or ())
    if missing:
        raise ConductLensError(f"register CSV lacks columns: {', '.join(sorted(missing))}")
    count = 0
    with engine.begin() as conn:
        for line, row in enumerate(reader, start=2):
            try:
                pid = add_person(conn, row["staff_number"].strip(), row["name"].strip(),
                                 row["force"].strip(), row.get("team"), row.get("role"))
                for kind, platform, value in _parse_identifiers(row.get("identifiers") or ""):
                    declare(conn, pid, kind, platform, value)
            except ConductLensError as exc:
                raise ConductLensError(f"register CSV line {line}: {exc}") from exc
            count += 1
        audit.append(conn, audit.AuditEvent(actor, "register.import", detail={"rows": count}))
    return count


def list_people(conn: Connection) -> list[Person]:
    rows = conn.execute(select(people).order_by(people.c.name)).mappings()
    return [Person(r["id"], r["staff_number"], r["name"], r["force"], r["team"], r["role"])
            for r in rows]


def person_identifiers(conn: Connection, person_id: int) -> list[tuple[str, str, str]]:
    rows = conn.execute(select(identifiers.c.kind, identifiers.c.platform, identifiers.c.value)
                        .where(identifiers.c.person_id == person_id)
                        .order_by(identifiers.c.id))
    return [(str(k), str(p), str(v)) for k, p, v in rows]


def _match(conn: Connection, phone: str | None, platform_id: str | None) -> int | None:
    """The person who declared this phone (E.164) or platform id, if exactly one did."""
    candidates: set[int] = set()
    if phone and (e164 := to_e164(phone)):
        candidates |= set(conn.scalars(select(identifiers.c.person_id).where(
            identifiers.c.kind == "phone", identifiers.c.value == e164)))
    if platform_id:
        value = platform_id.strip().lstrip("@").casefold()
        candidates |= set(conn.scalars(select(identifiers.c.person_id).where(
            identifiers.c.kind.in_(("username", "email")), identifiers.c.value == value)))
    return candidates.pop() if len(candidates) == 1 else None


def link_by_identifier(conn: Connection, exhibit_ids: list[int], actor: str) -> int:
    """Link unlinked participants of these exhibits to people by declared identifiers."""
    linked = set(conn.scalars(select(participant_links.c.participant_id)))
    query = select(t.participants.c.id, t.participants.c.phone, t.participants.c.platform_id)
    rows = conn.execute(query.where(t.participants.c.exhibit_id.in_(exhibit_ids))).all()
    made = 0
    for pid, phone, platform_id in rows:
        person = None if pid in linked else _match(conn, phone, platform_id)
        if person is not None:
            _insert_link(conn, int(pid), person, "identifier", actor)
            made += 1
    if made:
        audit.append(conn, audit.AuditEvent(actor, "link.auto", detail={"links": made}))
    return made


def _insert_link(conn: Connection, participant: int, person: int, method: str, actor: str) -> None:
    conn.execute(insert(participant_links).values(
        participant_id=participant, person_id=person, method=method, created_by=actor,
        created_at=datetime.now(UTC),
    ))


def link(conn: Connection, participant: int, person: int, actor: str, reason: str,
         case_id: int | None = None) -> None:
    """Manually link a participant to a person (replacing any link), audited."""
    conn.execute(delete(participant_links).where(participant_links.c.participant_id == participant))
    _insert_link(conn, participant, person, "manual", actor)
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
