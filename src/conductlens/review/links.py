"""Linking participants to register people: asked for by an investigator, decided by a
supervisor, like unmasking.

A link turns a pseudonym into a register identity (a subject is then shown by name, and the
person's name in text is masked as that pseudonym), and removing one can show by
comparison which pseudonym was whom; so neither happens on one person's word. The request
names a pseudonym number and a register person; only the requester and those who may
decide see which person it names.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import audit, register
from conductlens.review._ids import inserted_id
from conductlens.review.accounts import User
from conductlens.review.pseudonyms import participants_numbered, require_number
from conductlens.review.roles import Permission, allows
from conductlens.store import tables as t
from conductlens.store.tables_review import link_requests, participant_links, people


def request(conn: Connection, case_id: int, action: str, person_id: int, reason: str,
            actor: str, number: int | None = None) -> int:
    """Ask to link "Participant ``number``" to ``person_id`` (or to remove the case's links
    to ``person_id``); audited, nothing changes until someone else approves."""
    if len(reason.strip()) < 10:
        raise ConductLensError("explain why this link is needed (ten characters or more)")
    if conn.scalar(select(people.c.id).where(people.c.id == person_id)) is None:
        raise ConductLensError(f"no person {person_id} in the register")
    if action == "link":
        if number is None:
            raise ConductLensError("name the participant's number")
        require_number(conn, case_id, number)
    rid = inserted_id(conn.execute(insert(link_requests).values(
        case_id=case_id, action=action, number=number, person_id=person_id,
        reason=reason.strip(), status="requested", requested_by=actor,
        requested_at=datetime.now(UTC))))
    audit.append(conn, audit.AuditEvent(actor, f"{action}.request", case_id,
                                        {"link": [rid], "person": [person_id]}, reason.strip(),
                                        {"pseudonym": number}))
    return rid


def decide(conn: Connection, case_id: int, request_id: int, actor: str, approve: bool,
           reason: str) -> None:
    """Approve (and carry out) or refuse a link request; never by the person who asked."""
    row = conn.execute(select(link_requests).where(link_requests.c.id == request_id,
                                                   link_requests.c.case_id == case_id)).first()
    if row is None:
        raise ScopeError("no such request in this case")
    m = row._mapping
    if m["status"] != "requested":
        raise ConductLensError(f"request {request_id} is already {m['status']}")
    if m["requested_by"] == actor:
        raise ConductLensError("the person who asked cannot approve their own request")
    if len(reason.strip()) < 5:
        raise ConductLensError("give reasons for the decision")
    conn.execute(update(link_requests).where(link_requests.c.id == request_id).values(
        status="approved" if approve else "refused", decided_by=actor,
        decided_at=datetime.now(UTC), decision_reason=reason.strip()))
    audit.append(conn, audit.AuditEvent(actor, f"link.{'approve' if approve else 'refuse'}",
                                        case_id, {"link": [request_id]}, reason.strip()))
    if approve:
        _carry_out(conn, case_id, m, actor)


def _carry_out(conn: Connection, case_id: int, m: Any, actor: str) -> None:
    why = f"link request {m['id']} approved by {actor}: {m['reason']}"
    if m["action"] == "link":
        for pid in participants_numbered(conn, case_id, int(m["number"])):
            register.link(conn, pid, int(m["person_id"]), str(m["requested_by"]), why, case_id)
        return
    from conductlens.review.cases import exhibit_ids

    linked = conn.scalars(select(participant_links.c.participant_id)
                          .join(t.participants,
                                t.participants.c.id == participant_links.c.participant_id)
                          .where(participant_links.c.person_id == m["person_id"],
                                 t.participants.c.exhibit_id.in_(exhibit_ids(conn, case_id))))
    for pid in list(linked):
        register.unlink(conn, int(pid), str(m["requested_by"]), why, case_id)


def listing(conn: Connection, case_id: int, user: User) -> list[dict[str, object]]:
    """The case's link requests; the register person is named only to the requester and to
    those who may decide."""
    rows = conn.execute(select(link_requests, people.c.name, people.c.staff_number)
                        .join(people, people.c.id == link_requests.c.person_id)
                        .where(link_requests.c.case_id == case_id)
                        .order_by(link_requests.c.id.desc())).mappings()
    decider = allows(user.role, Permission.APPROVE_UNMASK)
    out = []
    for r in rows:
        named = decider or r["requested_by"] == user.username
        out.append({
            "id": r["id"], "action": r["action"], "status": r["status"],
            "pseudonym": f"Participant {r['number']:02d}" if r["number"] else "",
            "person": f"{r['name']} ({r['staff_number']})" if named else "a register person",
            "requested_by": r["requested_by"], "reason": r["reason"],
            "decided_by": r["decided_by"], "decision_reason": r["decision_reason"]})
    return out
