"""Recording outcomes per subject and barred-list referrals, checked against regulation 42.

Every write is refused whole (``OutcomeRefused`` naming each rule broken) or stored and
audited (``outcome.record``, ``outcome.barred_list``). Protected characteristics are stored
only as entered, never derived from anything else.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from conductlens.report import reg42
from conductlens.report.records import BarredListReferral, Outcome
from conductlens.report.terms import (
    Action,
    AppealResult,
    CaseType,
    FindingLevel,
    OutcomeRefused,
    Proceeding,
    SubjectType,
)
from conductlens.review import audit
from conductlens.review._ids import inserted_id
from conductlens.store.tables_report import barred_list_referrals, outcomes
from conductlens.store.tables_review import case_subjects

_DATES = ("recorded_on", "investigation_started_on", "referred_on", "proceeding_on",
          "finalised_on", "suspended_from", "suspended_to", "appeal_lodged_on",
          "appeal_decided_on")


def _row(o: Outcome, actor: str) -> dict[str, Any]:
    values = asdict(o)
    values.pop("id")
    values["standards"] = json.dumps(list(o.standards))
    values["characteristics"] = json.dumps(dict(o.characteristics), sort_keys=True)
    values.update(recorded_by=actor, updated_at=datetime.now(UTC))
    return values


def _outcome(row: Any) -> Outcome:
    m = dict(row._mapping)
    for name in ("recorded_by", "updated_at"):
        m.pop(name)
    m["standards"] = tuple(json.loads(m["standards"]))
    m["characteristics"] = tuple(sorted(json.loads(m["characteristics"]).items()))
    m["case_type"], m["subject_type"] = CaseType(m["case_type"]), SubjectType(m["subject_type"])
    m["proceeding"], m["finding"] = Proceeding(m["proceeding"]), FindingLevel(m["finding"])
    m["action"] = Action(m["action"]) if m["action"] else None
    m["appeal_result"] = AppealResult(m["appeal_result"]) if m["appeal_result"] else None
    return Outcome(**m)


def _is_subject(conn: Connection, case_id: int, person_id: int) -> bool:
    found = conn.scalar(select(case_subjects.c.id).where(
        case_subjects.c.case_id == case_id, case_subjects.c.person_id == person_id))
    return found is not None


def record_outcome(conn: Connection, outcome: Outcome, actor: str) -> int:
    """Store (or replace) the outcome for one subject of a case; refused if reg 42 forbids it."""
    reg42.check(outcome)
    if outcome.person_id is None:
        raise OutcomeRefused("person_id: an outcome is recorded for one subject of the case")
    if not _is_subject(conn, outcome.case_id, outcome.person_id):
        raise OutcomeRefused(f"person_id: person {outcome.person_id} is not a subject of "
                             f"case {outcome.case_id}")
    existing = conn.scalar(select(outcomes.c.id).where(
        outcomes.c.case_id == outcome.case_id, outcomes.c.person_id == outcome.person_id))
    values = _row(outcome, actor)
    if existing is None:
        oid = inserted_id(conn.execute(insert(outcomes).values(**values)))
    else:
        oid = int(existing)
        conn.execute(update(outcomes).where(outcomes.c.id == oid).values(**values))
    audit.append(conn, audit.AuditEvent(
        actor, "outcome.record", outcome.case_id, {"outcome": [oid]},
        detail={"proceeding": outcome.proceeding.value, "finding": outcome.finding.value,
                "action": outcome.action.value if outcome.action else None}))
    return oid


def import_outcomes(conn: Connection, items: list[Outcome], actor: str, source: str) -> int:
    """Record many finalised outcomes at once (history from an earlier system), each checked
    as ``record_outcome`` checks it; one audit event (``outcome.import``) names the source."""
    subjects = {(int(c), int(p)) for c, p in conn.execute(
        select(case_subjects.c.case_id, case_subjects.c.person_id))}
    for n, o in enumerate(items, start=1):
        found = reg42.problems(o)
        if (o.case_id, o.person_id) not in subjects:
            found.append(f"person_id: person {o.person_id} is not a subject of case {o.case_id}")
        if found:
            raise OutcomeRefused(f"{source}: outcome {n}: {'; '.join(found)}")
    if items:
        conn.execute(insert(outcomes), [_row(o, actor) for o in items])
    audit.append(conn, audit.AuditEvent(actor, "outcome.import", None,
                                        {"case": sorted({o.case_id for o in items})},
                                        detail={"source": source, "outcomes": len(items)}))
    return len(items)


def case_outcomes(conn: Connection, case_id: int) -> list[Outcome]:
    """The outcomes recorded for a case, one per subject."""
    rows = conn.execute(select(outcomes).where(outcomes.c.case_id == case_id)
                        .order_by(outcomes.c.id))
    return [_outcome(r) for r in rows]


def all_outcomes(conn: Connection) -> list[Outcome]:
    """Every outcome recorded (key facts filter them by year and the rest)."""
    return [_outcome(r) for r in conn.execute(select(outcomes).order_by(outcomes.c.id))]


def find_outcome(conn: Connection, outcome_id: int) -> Outcome:
    row = conn.execute(select(outcomes).where(outcomes.c.id == outcome_id)).first()
    if row is None:
        raise OutcomeRefused(f"outcome_id: no outcome {outcome_id}")
    return _outcome(row)


def record_referral(conn: Connection, referral: BarredListReferral, actor: str) -> int:
    """Record the barred-list referral sent for a dismissal; refused if incomplete or late."""
    outcome = find_outcome(conn, referral.outcome_id)
    reg42.check_referral(referral, outcome)
    if referral_for(conn, referral.outcome_id) is not None:
        raise OutcomeRefused(f"outcome_id: outcome {referral.outcome_id} is already referred")
    values = asdict(referral)
    values.pop("id")
    oid = inserted_id(conn.execute(insert(barred_list_referrals).values(
        **values, recorded_by=actor, recorded_at=datetime.now(UTC))))
    audit.append(conn, audit.AuditEvent(
        actor, "outcome.barred_list", outcome.case_id,
        {"outcome": [referral.outcome_id], "referral": [oid]},
        detail={"sent_on": referral.sent_on.isoformat()}))
    return oid


def referral_for(conn: Connection, outcome_id: int) -> BarredListReferral | None:
    row = conn.execute(select(barred_list_referrals).where(
        barred_list_referrals.c.outcome_id == outcome_id)).first()
    if row is None:
        return None
    m = dict(row._mapping)
    m.pop("recorded_by")
    m.pop("recorded_at")
    return BarredListReferral(**m)


def referral_due(outcome: Outcome) -> date | None:
    """When a dismissal's barred-list referral is due (``None`` if none is needed)."""
    if outcome.action not in (Action.DISMISSAL_WITHOUT_NOTICE,
                              Action.WOULD_HAVE_BEEN_DISMISSED) or not outcome.finalised_on:
        return None
    return reg42.deadline(outcome.finalised_on)


def _day(fields: dict[str, str], name: str) -> date | None:
    value = fields.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise OutcomeRefused(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def outcome_from_fields(case_id: int, person_id: int | None, fields: dict[str, str],
                        standards: list[str]) -> Outcome:
    """An ``Outcome`` from form or command-line text; each bad field named in one line."""
    from conductlens.report.terms import parse

    def flag(name: str) -> bool:
        return fields.get(name, "").strip().lower() in ("1", "yes", "true", "on")

    recorded = _day(fields, "recorded_on")
    if recorded is None:
        raise OutcomeRefused("recorded_on: the date the case was recorded is required")
    answer = fields.get("case_to_answer", "").strip().lower()
    base = Outcome(
        case_id, person_id, parse(CaseType, fields.get("case_type", ""), "case_type"),
        parse(SubjectType, fields.get("subject_type", ""), "subject_type"), recorded,
        tuple(s for s in standards if s),
        None if answer in ("", "unknown") else answer in ("1", "yes", "true", "on"),
        parse(Proceeding, fields.get("proceeding") or "none", "proceeding"),
        parse(FindingLevel, fields.get("finding") or "none_recorded", "finding"),
        parse(Action, fields["action"], "action") if fields.get("action") else None,
        flag("former_officer"), flag("live_final_written_warning"),
        flag("several_unconnected_incidents"),
        appeal_result=(parse(AppealResult, fields["appeal_result"], "appeal_result")
                       if fields.get("appeal_result") else None),
        criminal_proceedings=fields.get("criminal_proceedings", "").strip(),
        characteristics=tuple(sorted(
            (k.removeprefix("pc_"), v.strip()) for k, v in fields.items()
            if k.startswith("pc_") and v.strip())))
    days: dict[str, Any] = {n: _day(fields, n) for n in _DATES if n != "recorded_on"}
    return replace(base, **days)
