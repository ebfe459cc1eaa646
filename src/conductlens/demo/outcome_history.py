"""A history of closed synthetic cases with outcomes, so key facts are never empty.

Each case is written the way an investigator would record it (register person, case,
subject, hours, outcome checked against regulation 42, case closed), with invented names
and no messages. ``TABLE_1_1`` holds the Home Office figures for the year ending March 2022
(cases finalised under the 2020 Regulations, by case type and type of proceeding).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Connection, insert, select

from conductlens.report.key_facts import year_bounds
from conductlens.report.outcomes import import_outcomes
from conductlens.report.records import Outcome
from conductlens.report.terms import (
    STANDARDS,
    Action,
    CaseType,
    FindingLevel,
    Proceeding,
    SubjectType,
)
from conductlens.review._ids import pairs
from conductlens.review.cases import ACTIVITIES, CaseStatus
from conductlens.store import tables as t
from conductlens.store.tables_review import case_details, case_hours, case_subjects, people

C, P, F, A = CaseType, Proceeding, FindingLevel, Action
TABLE_1_1: dict[CaseType, dict[Proceeding, int]] = {
    C.COMPLAINT: {P.MISCONDUCT_MEETING: 105, P.MISCONDUCT_HEARING: 46,
                  P.ACCELERATED_HEARING: 6},
    C.CONDUCT_MATTER: {P.MISCONDUCT_MEETING: 471, P.MISCONDUCT_HEARING: 189,
                       P.ACCELERATED_HEARING: 124},
    C.RECORDABLE_CONDUCT_MATTER: {P.MISCONDUCT_MEETING: 200, P.MISCONDUCT_HEARING: 126,
                                  P.ACCELERATED_HEARING: 175},
}


@dataclass(frozen=True, slots=True)
class HistoryCase:
    reference: str
    outcome: Outcome


def _finding_and_action(rng: random.Random, proceeding: Proceeding, former: bool
                        ) -> tuple[FindingLevel, Action | None, bool]:
    """A lawful (finding, action, live final written warning) for ``proceeding``."""
    if proceeding == P.MISCONDUCT_MEETING:
        if rng.random() < 0.15:
            return F.NOT_MISCONDUCT, None, False
        return F.MISCONDUCT, rng.choice((A.WRITTEN_WARNING, A.FINAL_WRITTEN_WARNING)), False
    if proceeding == P.MISCONDUCT_HEARING and rng.random() < 0.35:
        live = rng.random() < 0.2
        picks = (A.FINAL_WRITTEN_WARNING, A.WRITTEN_WARNING) + (
            (A.DISMISSAL_WITHOUT_NOTICE,) if live else ())
        return F.MISCONDUCT, None if former else rng.choice(picks), live
    if former:
        return F.GROSS_MISCONDUCT, A.WOULD_HAVE_BEEN_DISMISSED, False
    weights = (0.6, 0.25, 0.15) if proceeding == P.ACCELERATED_HEARING else (0.45, 0.4, 0.15)
    action = rng.choices((A.DISMISSAL_WITHOUT_NOTICE, A.FINAL_WRITTEN_WARNING,
                          A.REDUCTION_IN_RANK), weights)[0]
    return F.GROSS_MISCONDUCT, action, False


def _outcome(rng: random.Random, case_type: CaseType, proceeding: Proceeding, year: str
             ) -> Outcome:
    first, last = year_bounds(year)
    finalised = first + timedelta(days=rng.randrange((last - first).days + 1))
    recorded = finalised - timedelta(days=rng.randrange(60, 720))
    staff = proceeding != P.ACCELERATED_HEARING and rng.random() < 0.1
    former = proceeding in (P.MISCONDUCT_HEARING, P.ACCELERATED_HEARING) and rng.random() < 0.1
    finding, action, live = _finding_and_action(rng, proceeding, former)
    if staff and action == A.REDUCTION_IN_RANK:
        action = A.FINAL_WRITTEN_WARNING
    standards = tuple(sorted(set(rng.choices(STANDARDS, k=rng.randint(1, 2)))))
    held = finalised - timedelta(days=rng.randrange(0, 30))
    return Outcome(
        0, None, case_type, SubjectType.POLICE_STAFF if staff else SubjectType.POLICE_OFFICER,
        recorded, standards, True, proceeding, finding, action, former, live,
        investigation_started_on=recorded + timedelta(days=rng.randrange(0, 14)),
        referred_on=max(recorded, held - timedelta(days=rng.randrange(20, 60))),
        proceeding_on=held, finalised_on=finalised)


def plan(figures: dict[CaseType, dict[Proceeding, int]], year: str, seed: int = 2022
         ) -> list[Outcome]:
    """Outcomes (not yet stored) reproducing ``figures`` for financial ``year``."""
    rng = random.Random(f"{seed}:{year}")
    return [_outcome(rng, ct, pr, year)
            for ct, row in figures.items() for pr, n in row.items() for _ in range(n)]


def write_history(conn: Connection, planned: list[Outcome], force: str, prefix: str,
                  actor: str = "demo") -> list[HistoryCase]:
    """One closed case per outcome (subject, hours, outcome), written in bulk and imported
    through ``import_outcomes`` (each outcome checked against regulation 42)."""
    refs = [f"{prefix}-{n:04d}" for n in range(1, len(planned) + 1)]
    now = datetime.now(UTC)
    conn.execute(insert(t.cases), [{"reference": r, "created_at": now} for r in refs])
    case_ids = pairs(conn.execute(select(t.cases.c.reference, t.cases.c.id)
                                  .where(t.cases.c.reference.in_(refs))).all())
    conn.execute(insert(case_details), [
        {"case_id": case_ids[r], "allegation": "Synthetic historical case (no evidence held)",
         "status": CaseStatus.CLOSED.value, "opened_by": actor} for r in refs])
    staff = [f"{r}-S" for r in refs]
    conn.execute(insert(people), [{"staff_number": s, "name": f"Synthetic Subject {s}",
                                   "force": force} for s in staff])
    person_ids = pairs(conn.execute(select(people.c.staff_number, people.c.id)
                                    .where(people.c.staff_number.in_(staff))).all())
    conn.execute(insert(case_subjects), [{"case_id": case_ids[r], "person_id": person_ids[s]}
                                         for r, s in zip(refs, staff, strict=True)])
    stored = [replace(o, case_id=case_ids[r], person_id=person_ids[s])
              for o, r, s in zip(planned, refs, staff, strict=True)]
    conn.execute(insert(case_hours), list(_hours(stored, actor, random.Random(prefix))))
    import_outcomes(conn, stored, actor, f"synthetic history {prefix}")
    return [HistoryCase(r, o) for r, o in zip(refs, stored, strict=True)]


def _hours(items: list[Outcome], actor: str, rng: random.Random) -> Iterator[dict[str, object]]:
    for o in items:
        for _ in range(rng.randint(1, 4)):
            day = o.recorded_on + timedelta(days=rng.randrange(0, 30))
            yield {"case_id": o.case_id, "username": actor, "hours": rng.choice(
                (2.5, 4.0, 7.5, 10.0)), "note": None, "activity": rng.choice(ACTIVITIES),
                "worked_on": day, "logged_at": datetime.combine(day, time(17), UTC)}
