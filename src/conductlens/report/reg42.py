"""Regulation 42 (Police (Conduct) Regulations 2020) and the order of steps, as checks.

``problems(outcome)`` lists every rule an outcome breaks, each in one sentence naming the
field; ``check`` refuses an outcome with any. The rules, from the Regulations:

- A misconduct meeting decides misconduct only, and its only disciplinary action is a
  written warning or a final written warning.
- A hearing that finds misconduct may reduce in rank or dismiss only where a final written
  warning was live or the misconduct spans several unconnected incidents.
- Gross misconduct (a hearing or an accelerated hearing) leads to a final written warning,
  reduction in rank or dismissal without notice; an accelerated hearing is for gross
  misconduct only.
- "Would have been dismissed" is for a former officer only, and a former officer can receive
  nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from conductlens.report.records import BARRED_STATUSES, BarredListReferral, Outcome
from conductlens.report.terms import (
    DISMISSALS,
    FORMAL,
    HEARINGS,
    PROTECTED_CHARACTERISTICS,
    STANDARDS,
    Action,
    AppealResult,
    FindingLevel,
    OutcomeRefused,
    Proceeding,
    SubjectType,
)
from conductlens.report.working_days import add_working_days

A, F, P = Action, FindingLevel, Proceeding
MEETING_ACTIONS = frozenset({A.WRITTEN_WARNING, A.FINAL_WRITTEN_WARNING})
GROSS_ACTIONS = frozenset({A.FINAL_WRITTEN_WARNING, A.REDUCTION_IN_RANK,
                           A.DISMISSAL_WITHOUT_NOTICE, A.WOULD_HAVE_BEEN_DISMISSED})
SEVERE = frozenset({A.REDUCTION_IN_RANK, A.DISMISSAL_WITHOUT_NOTICE,
                    A.WOULD_HAVE_BEEN_DISMISSED})
REFERRAL_DAYS = 5


def _proceeding(o: Outcome) -> Iterator[str]:
    if o.proceeding in FORMAL and o.case_to_answer is False:
        yield f"proceeding: a {o.proceeding.value} needs a case to answer"
    if o.proceeding not in FORMAL and (o.finding != F.NONE_RECORDED or o.action):
        yield (f"finding: with proceeding {o.proceeding.value} there is no finding or "
               "disciplinary action")
    if o.proceeding in FORMAL and o.finalised_on and o.finding == F.NONE_RECORDED:
        yield "finding: a finalised meeting or hearing records its finding"
    if o.finding == F.NOT_MISCONDUCT and o.action:
        yield "action: no disciplinary action follows a finding of not misconduct"


def _meeting(o: Outcome) -> Iterator[str]:
    if o.proceeding != P.MISCONDUCT_MEETING:
        return
    if o.finding == F.GROSS_MISCONDUCT:
        yield "finding: a misconduct meeting cannot find gross misconduct (that needs a hearing)"
    if o.action and o.action not in MEETING_ACTIONS:
        yield ("action: at a misconduct meeting the only disciplinary action is a written "
               "warning or a final written warning (regulation 42)")


def _hearing(o: Outcome) -> Iterator[str]:
    if o.proceeding == P.ACCELERATED_HEARING and o.finding not in (
            F.GROSS_MISCONDUCT, F.NONE_RECORDED):
        yield "finding: an accelerated hearing decides gross misconduct only"
    if o.proceeding not in HEARINGS or o.action is None:
        return
    if o.finding == F.GROSS_MISCONDUCT and o.action not in GROSS_ACTIONS:
        yield ("action: for gross misconduct the action is a final written warning, "
               "reduction in rank or dismissal without notice (regulation 42)")
    if o.finding == F.MISCONDUCT and o.action in SEVERE and not (
            o.live_final_written_warning or o.several_unconnected_incidents):
        yield ("action: reduction in rank or dismissal for misconduct needs a live final "
               "written warning or several unconnected incidents (regulation 42)")


def _person(o: Outcome) -> Iterator[str]:
    if o.action == A.WOULD_HAVE_BEEN_DISMISSED and not o.former_officer:
        yield "action: 'would have been dismissed' applies only to a former officer"
    if o.former_officer and o.action not in (None, A.WOULD_HAVE_BEEN_DISMISSED):
        yield ("action: a former officer can only be found to have 'would have been "
               "dismissed'")
    if o.subject_type == SubjectType.POLICE_STAFF and o.action == A.REDUCTION_IN_RANK:
        yield "action: police staff hold no rank to reduce"
    for key, value in o.characteristics:
        if key not in PROTECTED_CHARACTERISTICS:
            yield f"characteristics: {key!r} is not a protected characteristic"
        elif not value.strip():
            yield f"characteristics: {key} is empty (leave it out when not recorded)"


def _standards(o: Outcome) -> Iterator[str]:
    for s in o.standards:
        if s not in STANDARDS:
            yield f"standards: {s!r} is not a Standard of Professional Behaviour"
    if o.finding in (F.MISCONDUCT, F.GROSS_MISCONDUCT) and not o.standards:
        yield "standards: a finding of misconduct names the Standards breached"


def _dates(o: Outcome) -> Iterator[str]:
    steps = (("investigation_started_on", o.investigation_started_on),
             ("referred_on", o.referred_on), ("proceeding_on", o.proceeding_on))
    for name, day in steps:
        if day and day < o.recorded_on:
            yield f"{name}: {day} is before the case was recorded ({o.recorded_on})"
        if day and o.finalised_on and day > o.finalised_on:
            yield f"{name}: {day} is after the case was finalised ({o.finalised_on})"
    if o.finalised_on and o.finalised_on < o.recorded_on:
        yield f"finalised_on: {o.finalised_on} is before recorded_on {o.recorded_on}"
    if o.suspended_to and (o.suspended_from is None or o.suspended_to < o.suspended_from):
        yield "suspended_to: a suspension ends after it starts"


def _appeal(o: Outcome) -> Iterator[str]:
    if o.appeal_lodged_on is None:
        if o.appeal_result or o.appeal_decided_on:
            yield "appeal_result: no appeal to the Police Appeals Tribunal was lodged"
        return
    if o.proceeding not in HEARINGS:
        yield ("appeal_lodged_on: an appeal to the Police Appeals Tribunal lies only from a "
               "misconduct hearing or an accelerated hearing")
    if o.finalised_on is None or o.appeal_lodged_on < o.finalised_on:
        yield "appeal_lodged_on: an appeal follows the finalised outcome"
    if o.appeal_decided_on and o.appeal_result in (None, AppealResult.PENDING):
        yield "appeal_result: a decided appeal records its result"
    if o.appeal_decided_on and o.appeal_decided_on < o.appeal_lodged_on:
        yield "appeal_decided_on: the tribunal decides after the appeal is lodged"


RULES: tuple[Callable[[Outcome], Iterator[str]], ...] = (
    _proceeding, _meeting, _hearing, _person, _standards, _dates, _appeal)


def problems(outcome: Outcome) -> list[str]:
    """Every rule ``outcome`` breaks, one sentence each (empty when it is allowed)."""
    return [p for rule in RULES for p in rule(outcome)]


def check(outcome: Outcome) -> None:
    """Refuse ``outcome`` (``OutcomeRefused``) naming every rule it breaks."""
    found = problems(outcome)
    if found:
        raise OutcomeRefused("; ".join(found))


def referral_problems(referral: BarredListReferral, outcome: Outcome) -> list[str]:
    """What is missing or late in a barred-list referral for ``outcome``."""
    found = [f"{name}: required for the barred list" for name in
             ("name", "force", "status", "reasons") if not getattr(referral, name).strip()]
    if referral.status.strip() and referral.status not in BARRED_STATUSES:
        found.append(f"status: {referral.status!r} is not one of {', '.join(BARRED_STATUSES)}")
    staff = "staff" in referral.status
    found += [f"{name}: required for an officer on the barred list" for name in
              ("rank", "warrant_number") if not staff and not getattr(referral, name).strip()]
    if outcome.action not in DISMISSALS:
        found.append("outcome: only a dismissal (or 'would have been dismissed') goes on the "
                     "barred list")
    found += _referral_dates(referral, outcome)
    return found


def _referral_dates(referral: BarredListReferral, outcome: Outcome) -> list[str]:
    if referral.date_of_birth >= referral.sent_on:
        return ["date_of_birth: must be before the referral was sent"]
    if outcome.finalised_on is None:
        return ["outcome: the outcome is not finalised yet"]
    due = deadline(outcome.finalised_on)
    if not outcome.finalised_on <= referral.sent_on <= due:
        return [f"sent_on: {referral.sent_on} is outside the five working days from "
                f"{outcome.finalised_on} (due by {due})"]
    return []


def deadline(finalised_on: date) -> date:
    """The last day a barred-list referral may be sent: five working days on."""
    return add_working_days(finalised_on, REFERRAL_DAYS)


def check_referral(referral: BarredListReferral, outcome: Outcome) -> None:
    found = referral_problems(referral, outcome)
    if found:
        raise OutcomeRefused("; ".join(found))
