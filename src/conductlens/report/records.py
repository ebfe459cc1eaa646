"""The outcome of a case for one subject, and a barred-list referral: plain frozen records.

The Home Office statistics count one *case* per subject: a case with two officers is two
outcomes. Dates are kept for every step so the time to finalise (recorded to finalised, in
calendar days, as the statistics publish it) is computed, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from conductlens.report.terms import (
    Action,
    AppealResult,
    CaseType,
    FindingLevel,
    Proceeding,
    SubjectType,
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one subject of one case, in the Regulations' words."""

    case_id: int
    person_id: int | None
    case_type: CaseType
    subject_type: SubjectType
    recorded_on: date
    standards: tuple[str, ...] = ()
    case_to_answer: bool | None = None
    proceeding: Proceeding = Proceeding.NONE
    finding: FindingLevel = FindingLevel.NONE_RECORDED
    action: Action | None = None
    former_officer: bool = False
    live_final_written_warning: bool = False
    several_unconnected_incidents: bool = False
    investigation_started_on: date | None = None
    referred_on: date | None = None
    proceeding_on: date | None = None
    finalised_on: date | None = None
    suspended_from: date | None = None
    suspended_to: date | None = None
    appeal_lodged_on: date | None = None
    appeal_result: AppealResult | None = None
    appeal_decided_on: date | None = None
    criminal_proceedings: str = ""
    characteristics: tuple[tuple[str, str], ...] = ()  # only what was recorded
    id: int | None = None

    @property
    def days_to_finalise(self) -> int | None:
        if self.finalised_on is None:
            return None
        return (self.finalised_on - self.recorded_on).days

    @property
    def suspended(self) -> bool:
        return self.suspended_from is not None


BARRED_STATUSES = ("police officer", "special constable", "police staff",
                   "former police officer", "former special constable", "former police staff")


@dataclass(frozen=True, slots=True)
class BarredListReferral:
    """The details sent to the College of Policing for the Police Barred List."""

    outcome_id: int
    name: str
    force: str
    date_of_birth: date
    status: str
    rank: str
    warrant_number: str
    reasons: str
    sent_on: date
    id: int | None = None
