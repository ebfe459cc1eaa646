"""The words of the Police (Conduct) Regulations 2020 and the Home Office misconduct statistics.

Each vocabulary is a ``StrEnum`` of stable identifiers (used in JSON, CSV and the store) with
its label as the statistics print it (``label()``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from conductlens.detect.policy import STANDARDS
from conductlens.errors import ConductLensError


class OutcomeRefused(ConductLensError):
    """An outcome, step or referral the Regulations do not allow, with the rule broken."""


E = TypeVar("E", bound=StrEnum)


class CaseType(StrEnum):
    COMPLAINT = "complaint"
    CONDUCT_MATTER = "conduct_matter"
    RECORDABLE_CONDUCT_MATTER = "recordable_conduct_matter"


class SubjectType(StrEnum):
    POLICE_OFFICER = "police_officer"  # special constables included, as the statistics count
    POLICE_STAFF = "police_staff"


class Proceeding(StrEnum):
    MISCONDUCT_MEETING = "misconduct_meeting"
    MISCONDUCT_HEARING = "misconduct_hearing"  # gross misconduct hearings included
    ACCELERATED_HEARING = "accelerated_hearing"
    REFLECTIVE_PRACTICE = "reflective_practice"  # RPRP: practice requiring improvement
    NONE = "none"


class FindingLevel(StrEnum):
    GROSS_MISCONDUCT = "gross_misconduct"
    MISCONDUCT = "misconduct"
    NOT_MISCONDUCT = "not_misconduct"
    NONE_RECORDED = "none_recorded"


class Action(StrEnum):
    """Disciplinary action (regulation 42), dismissals first as the key facts list them."""

    DISMISSAL_WITHOUT_NOTICE = "dismissal_without_notice"
    WOULD_HAVE_BEEN_DISMISSED = "would_have_been_dismissed"
    REDUCTION_IN_RANK = "reduction_in_rank"
    FINAL_WRITTEN_WARNING = "final_written_warning"
    WRITTEN_WARNING = "written_warning"


class AppealResult(StrEnum):
    PENDING = "pending"
    ALLOWED = "allowed"
    DISMISSED = "dismissed"
    WITHDRAWN = "withdrawn"


HEARINGS = frozenset({Proceeding.MISCONDUCT_HEARING, Proceeding.ACCELERATED_HEARING})
FORMAL = HEARINGS | {Proceeding.MISCONDUCT_MEETING}
DISMISSALS = frozenset({Action.DISMISSAL_WITHOUT_NOTICE, Action.WOULD_HAVE_BEEN_DISMISSED})

# The nine protected characteristics (Equality Act 2010, s4): recorded, never inferred.
PROTECTED_CHARACTERISTICS = (
    "age", "disability", "gender_reassignment", "marriage_and_civil_partnership",
    "pregnancy_and_maternity", "race", "religion_or_belief", "sex", "sexual_orientation",
)

_LABELS = {
    "complaint": "Complaint", "conduct_matter": "Conduct matter",
    "recordable_conduct_matter": "Recordable conduct matter",
    "police_officer": "Police officer (incl. special constable)", "police_staff": "Police staff",
    "misconduct_meeting": "Misconduct meeting", "misconduct_hearing": "Misconduct hearing",
    "accelerated_hearing": "Accelerated misconduct hearing",
    "reflective_practice": "Reflective Practice Review Process", "none": "No proceedings",
    "gross_misconduct": "Gross misconduct", "misconduct": "Misconduct",
    "not_misconduct": "Not misconduct", "none_recorded": "None recorded",
    "dismissal_without_notice": "Dismissal without notice",
    "would_have_been_dismissed": "Would have been dismissed",
    "reduction_in_rank": "Reduction in rank", "final_written_warning": "Final written warning",
    "written_warning": "Written warning",
    "pending": "Pending", "allowed": "Allowed", "dismissed": "Dismissed",
    "withdrawn": "Withdrawn",
}


def label(value: str) -> str:
    """The statistics' words for an identifier (a Standard is its own label)."""
    return _LABELS.get(value, value)


def parse(kind: type[E], value: str, field: str) -> E:
    """``kind(value)`` or a one-line error naming the field and the allowed values."""
    try:
        return kind(value.strip())
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise OutcomeRefused(f"{field}: {value!r} is not one of {allowed}") from None


__all__ = ["STANDARDS", "Action", "AppealResult", "CaseType", "FindingLevel", "OutcomeRefused",
           "Proceeding", "SubjectType", "label", "parse"]
