"""What an evidential bundle holds, gathered through the review door.

Message content (each finding relied on and its conversation context) comes only from the
review door as the recipient is to see it (``recipients.DisclosureSession``): the authorised
scope applies, each read is audited, and people are named as approved for that recipient
(subjects, and the pseudonyms a supervisor approved for it), never as the reader's own
unmaskings show them. Metadata (exhibits, scopes, notes) is read here, with file names and
free text passed through the same ``Namer`` so no hidden person is named.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from conductlens.dynamics.standard10 import ShownResponse
from conductlens.review import cases, scope
from conductlens.review.access import ShownFinding, ShownMessage
from conductlens.review.accounts import User
from conductlens.review.pseudonyms import Namer
from conductlens.review.recipients import (
    DisclosureSession,
    RecipientName,
    approved_for,
    recipient_namer,
)
from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of
from conductlens.store.tables_review import audit_events, decisions


@dataclass(frozen=True, slots=True)
class ExhibitEntry:
    reference: str
    name: str  # the original file name, bystanders' names masked
    sha256: str
    size: int
    format: str
    added_by: str
    added_at: datetime
    first: datetime | None
    last: datetime | None
    messages: int
    custody: tuple[tuple[str, str, str], ...]  # (when, who, what) from the audit log


@dataclass(frozen=True, slots=True)
class ReliedOn:
    finding: ShownFinding
    context: tuple[ShownMessage, ...]
    notes: tuple[str, ...]
    responses: ShownResponse | None = None  # Standard 10: who endorsed, challenged, stayed


@dataclass(frozen=True, slots=True)
class BundleContent:
    reference: str
    case: cases.Case
    recipient: str
    subjects: tuple[str, ...]
    standards: tuple[str, ...]
    scopes: tuple[scope.Scope, ...]
    exhibits: tuple[ExhibitEntry, ...]
    relied_on: tuple[ReliedOn, ...]
    unused: tuple[ShownFinding, ...]
    withheld: int
    accesses: tuple[tuple[str, str, int], ...]  # (action, user, times)
    produced_by: str
    produced_at: datetime
    approvals: tuple[RecipientName, ...] = ()  # names shown by approval for the recipient
    scope_id: int | None = None  # the scope in force when it was gathered


def _notes(conn: Connection, case_id: int, finding_id: int, namer: Namer
           ) -> tuple[str, ...]:
    rows = conn.execute(select(decisions.c.username, decisions.c.decision, decisions.c.note,
                               decisions.c.created_at)
                        .where(decisions.c.case_id == case_id,
                               decisions.c.finding_id == finding_id)
                        .order_by(decisions.c.id))
    # A reviewer's note may name someone the reviewers had unmasked: masked as shown here.
    return tuple(f"{when:%d %b %Y %H:%M} {who}: {what}"
                 f"{' — ' + namer.redact(note) if note else ''}"
                 for who, what, note, when in rows)


def _custody(conn: Connection, case_id: int, reference: str) -> tuple[tuple[str, str, str], ...]:
    rows = conn.execute(select(audit_events.c.ts, audit_events.c.username,
                               audit_events.c.action, audit_events.c.detail)
                        .where(audit_events.c.case_id == case_id,
                               audit_events.c.action.like("exhibit%"))
                        .order_by(audit_events.c.id))
    out = []
    for ts, who, action, detail in rows:
        if json.loads(detail or "{}").get("reference") in (reference, None):
            out.append((str(ts)[:19].replace("T", " "), str(who), str(action)))
    return tuple(out)


def _exhibits(conn: Connection, case_id: int, namer: Namer) -> tuple[ExhibitEntry, ...]:
    out = []
    for e in conn.execute(select(t.exhibits).where(t.exhibits.c.id.in_(exhibits_of(case_id)))
                          .order_by(t.exhibits.c.id)).mappings():
        span = conn.execute(select(t.messages.c.ts_local).where(
            t.messages.c.exhibit_id == e["id"], t.messages.c.ts_local.is_not(None))
            .order_by(t.messages.c.ts_local)).scalars().all()
        out.append(ExhibitEntry(
            e["reference"], namer.redact(e["original_name"]), e["sha256"], e["size"],
            e["format"], e["added_by"], e["added_at"], span[0] if span else None,
            span[-1] if span else None, len(span),
            _custody(conn, case_id, e["reference"])))
    return tuple(out)


def _accesses(conn: Connection, case_id: int) -> tuple[tuple[str, str, int], ...]:
    rows = conn.execute(select(audit_events.c.action, audit_events.c.username)
                        .where(audit_events.c.case_id == case_id))
    counts = Counter((str(a), str(u)) for a, u in rows)
    return tuple((a, u, n) for (a, u), n in sorted(counts.items()))


def _scopes(conn: Connection, case_id: int, namer: Namer) -> tuple[scope.Scope, ...]:
    """The scope history, its rationales and reasons masked as the recipient sees them."""
    return tuple(replace(s, rationale=namer.redact(s.rationale),
                         decision_reason=namer.redact(s.decision_reason or "") or None)
                 for s in scope.history(conn, case_id))


def gather(engine: Engine, user: User, case_id: int, recipient: str, reference: str
           ) -> BundleContent:
    """Everything the bundle shows for ``recipient``, content read as ``user`` through the
    review door with that recipient's approved names."""
    door = DisclosureSession(engine, user, case_id, recipient)
    queue = door.queue()
    relied = [f for f in queue if f.decision == "relevant"]
    unused = tuple(f for f in queue if f.decision != "relevant")
    withheld = door.totals().withheld
    contexts = [door.finding(f.id)[1] for f in relied]
    responses = {r.message_id: r for r in door.standard10().responses}
    with engine.begin() as conn:
        case = cases.find_case(conn, case_id)
        current = scope.require(conn, case_id)
        namer = recipient_namer(conn, case_id, current.subjects, recipient)
        items = tuple(ReliedOn(f, tuple(c), _notes(conn, case_id, f.id, namer),
                               responses.get(f.message.id))
                      for f, c in zip(relied, contexts, strict=True))
        content = BundleContent(
            reference, replace(case, allegation=namer.redact(case.allegation)), recipient,
            tuple(n for _, _, n in cases.subjects(conn, case_id)),
            tuple(sorted({s for f in relied for s in f.standards})),
            _scopes(conn, case_id, namer), _exhibits(conn, case_id, namer), items,
            unused, withheld, _accesses(conn, case_id), user.username,
            datetime.now().astimezone(),
            tuple(replace(a, reason=namer.redact(a.reason),
                          decision_reason=namer.redact(a.decision_reason or ""))
                  for a in approved_for(conn, case_id, recipient)), current.id)
    return content
