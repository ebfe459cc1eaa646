"""Names approved for one recipient of a disclosure, and the door as that recipient sees it.

An unmasking (``pseudonyms.request_unmask``) names a bystander for the case's own reviewers;
it never travels. What a disclosure (the evidential bundle, the RSMF export) shows is decided
per recipient: an investigator proposes, for a named recipient ("Misconduct panel"), which
pseudonym numbers may be shown by real name, with a reason for each; a supervisor other than
the proposer approves or refuses; an approval may be revoked. A recipient is matched by name
with spaces collapsed and case folded, so "misconduct  Panel" is "Misconduct panel".
``DisclosureSession`` reads through the review door with exactly those approvals: subjects by
name, approved numbers by name, everyone else as their pseudonym. A recipient with no
approvals sees pseudonyms for everyone who is not a subject.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select, update

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import audit
from conductlens.review._ids import inserted_id
from conductlens.review.access import ReviewSession
from conductlens.review.accounts import User
from conductlens.review.pseudonyms import Namer, require_number
from conductlens.store.tables_review import recipient_names

PROPOSED, APPROVED, REFUSED, REVOKED = "proposed", "approved", "refused", "revoked"
KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class RecipientName:
    """One proposal to show "Participant ``number``" by name to ``recipient``."""

    id: int
    recipient: str
    number: int
    reason: str
    status: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None

    @property
    def pseudonym(self) -> str:
        return f"Participant {self.number:02d}"


def recipient_key(recipient: str) -> str:
    """The recipient as matched: spaces collapsed, case folded."""
    key = " ".join(recipient.split()).casefold()
    if not key:
        raise ConductLensError("recipient: name who receives the disclosure")
    if len(key) > KEY_LENGTH:
        raise ConductLensError(f"recipient: at most {KEY_LENGTH} characters")
    return key


def _rows(conn: Connection, case_id: int, recipient: str | None = None,
          status: str | None = None) -> list[RecipientName]:
    r = recipient_names.c
    query = select(recipient_names).where(r.case_id == case_id).order_by(r.id)
    if recipient is not None:
        query = query.where(r.recipient_key == recipient_key(recipient))
    if status is not None:
        query = query.where(r.status == status)
    return [RecipientName(m["id"], m["recipient"], m["number"], m["reason"], m["status"],
                          m["proposed_by"], m["proposed_at"], m["decided_by"],
                          m["decided_at"], m["decision_reason"])
            for m in conn.execute(query).mappings()]


def listing(conn: Connection, case_id: int) -> list[RecipientName]:
    """Every proposal of the case, oldest first (identities never leave the store)."""
    return _rows(conn, case_id)


def approved_for(conn: Connection, case_id: int, recipient: str) -> list[RecipientName]:
    """The approvals in force for ``recipient`` (an empty name has none)."""
    if not recipient.split():
        return []
    return _rows(conn, case_id, recipient, APPROVED)


def recipients(conn: Connection, case_id: int) -> list[str]:
    """Recipients holding at least one approval in force, each once, as first typed."""
    seen: dict[str, str] = {}
    for row in _rows(conn, case_id, status=APPROVED):
        seen.setdefault(recipient_key(row.recipient), row.recipient)
    return sorted(seen.values(), key=str.casefold)


def propose(conn: Connection, case_id: int, recipient: str, number: int, reason: str,
            actor: str) -> int:
    """Propose that ``recipient`` see "Participant ``number``" by real name."""
    key = recipient_key(recipient)
    if len(reason.strip()) < 10:
        raise ConductLensError("explain why this recipient must see this person's name")
    require_number(conn, case_id, number)
    if any(r.number == number and r.status in (PROPOSED, APPROVED)
           for r in _rows(conn, case_id, recipient)):
        raise ConductLensError(f"Participant {number:02d} is already proposed or approved "
                               "for this recipient")
    rid = inserted_id(conn.execute(insert(recipient_names).values(
        case_id=case_id, recipient=" ".join(recipient.split()), recipient_key=key,
        number=number, reason=reason.strip(), status=PROPOSED, proposed_by=actor,
        proposed_at=datetime.now(UTC))))
    audit.append(conn, audit.AuditEvent(
        actor, "recipient_name.propose", case_id, {"recipient_name": [int(rid)]},
        reason.strip(), {"recipient": " ".join(recipient.split()), "pseudonym": number}))
    return int(rid)


def _find(conn: Connection, case_id: int, approval_id: int) -> RecipientName:
    found = next((r for r in _rows(conn, case_id) if r.id == approval_id), None)
    if found is None:
        raise ScopeError("no such recipient approval in this case")
    return found


def decide(conn: Connection, case_id: int, approval_id: int, actor: str, verdict: str,
           reason: str) -> None:
    """Approve or refuse a proposal (someone other than its proposer), or revoke an
    approval; each with reasons, each audited."""
    row = _find(conn, case_id, approval_id)
    wanted = {"approve": (PROPOSED, APPROVED), "refuse": (PROPOSED, REFUSED),
              "revoke": (APPROVED, REVOKED)}
    if verdict not in wanted:
        raise ConductLensError("the decision is approve, refuse or revoke")
    before, after = wanted[verdict]
    if row.status != before:
        raise ConductLensError(f"approval {approval_id} is {row.status}: it cannot be "
                               f"{after} now")
    if verdict != "revoke" and row.proposed_by == actor:
        raise ConductLensError("the person who proposed a name cannot decide it: a second "
                               "person must")
    if len(reason.strip()) < 5:
        raise ConductLensError("give reasons for the decision")
    conn.execute(update(recipient_names).where(recipient_names.c.id == approval_id).values(
        status=after, decided_by=actor, decided_at=datetime.now(UTC),
        decision_reason=reason.strip()))
    audit.append(conn, audit.AuditEvent(
        actor, f"recipient_name.{verdict}", case_id, {"recipient_name": [approval_id]},
        reason.strip(), {"recipient": row.recipient, "pseudonym": row.number}))


def recipient_namer(conn: Connection, case_id: int, subjects: Sequence[int],
                    recipient: str) -> Namer:
    """People as ``recipient`` is to see them: subjects and its approvals by name."""
    shown = {r.number for r in approved_for(conn, case_id, recipient)}
    return Namer(conn, case_id, subjects, shown=shown)


class DisclosureSession(ReviewSession):
    """The review door (scope, audit) reading for a disclosure to ``recipient``: people are
    named as approved for that recipient, never as the reader's own unmaskings show them."""

    def __init__(self, engine: Engine, user: User, case_id: int, recipient: str) -> None:
        super().__init__(engine, user, case_id)
        recipient_key(recipient)
        self.recipient = recipient

    def _namer(self, conn: Connection, subjects: Sequence[int]) -> Namer:
        return recipient_namer(conn, self.case_id, subjects, self.recipient)
