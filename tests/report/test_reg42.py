"""Regulation 42 as a table: each row an outcome, allowed or refused with the rule named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

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

A, F, P = Action, FindingLevel, Proceeding
BASE = Outcome(1, 1, CaseType.CONDUCT_MATTER, SubjectType.POLICE_OFFICER, date(2025, 1, 6),
               ("Equality and diversity",), True, P.MISCONDUCT_MEETING, F.MISCONDUCT,
               A.WRITTEN_WARNING, finalised_on=date(2025, 6, 2))

ALLOWED = [
    ("meeting, written warning", {}),
    ("meeting, final written warning", {"action": A.FINAL_WRITTEN_WARNING}),
    ("meeting, no action", {"action": None}),
    ("meeting, not misconduct", {"finding": F.NOT_MISCONDUCT, "action": None}),
    ("hearing, misconduct, FWW", {"proceeding": P.MISCONDUCT_HEARING,
                                  "action": A.FINAL_WRITTEN_WARNING}),
    ("hearing, misconduct, dismissal with live FWW", {
        "proceeding": P.MISCONDUCT_HEARING, "action": A.DISMISSAL_WITHOUT_NOTICE,
        "live_final_written_warning": True}),
    ("hearing, misconduct, reduction for unconnected incidents", {
        "proceeding": P.MISCONDUCT_HEARING, "action": A.REDUCTION_IN_RANK,
        "several_unconnected_incidents": True}),
    ("hearing, gross misconduct, dismissal", {
        "proceeding": P.MISCONDUCT_HEARING, "finding": F.GROSS_MISCONDUCT,
        "action": A.DISMISSAL_WITHOUT_NOTICE}),
    ("accelerated, gross misconduct, reduction", {
        "proceeding": P.ACCELERATED_HEARING, "finding": F.GROSS_MISCONDUCT,
        "action": A.REDUCTION_IN_RANK}),
    ("former officer would have been dismissed", {
        "proceeding": P.MISCONDUCT_HEARING, "finding": F.GROSS_MISCONDUCT,
        "action": A.WOULD_HAVE_BEEN_DISMISSED, "former_officer": True}),
    ("no case to answer", {"case_to_answer": False, "proceeding": P.NONE,
                           "finding": F.NONE_RECORDED, "action": None}),
    ("reflective practice", {"case_to_answer": False, "proceeding": P.REFLECTIVE_PRACTICE,
                             "finding": F.NONE_RECORDED, "action": None}),
    ("appeal to the tribunal after a hearing", {
        "proceeding": P.MISCONDUCT_HEARING, "finding": F.GROSS_MISCONDUCT,
        "action": A.DISMISSAL_WITHOUT_NOTICE, "appeal_lodged_on": date(2025, 6, 20),
        "appeal_result": AppealResult.DISMISSED, "appeal_decided_on": date(2025, 11, 3)}),
    ("suspended with dates in order", {"suspended_from": date(2025, 1, 7),
                                      "suspended_to": date(2025, 6, 2)}),
    ("recorded characteristic", {"characteristics": (("sex", "male"),)}),
]

REFUSED = [
    ("meeting cannot reduce in rank", {"action": A.REDUCTION_IN_RANK},
     "only disciplinary action is a written warning or a final written warning"),
    ("meeting cannot dismiss", {"action": A.DISMISSAL_WITHOUT_NOTICE,
                                "live_final_written_warning": True},
     "only disciplinary action is a written warning or a final written warning"),
    ("meeting cannot find gross misconduct", {"finding": F.GROSS_MISCONDUCT,
                                              "action": A.FINAL_WRITTEN_WARNING},
     "cannot find gross misconduct"),
    ("hearing, misconduct, dismissal without FWW", {
        "proceeding": P.MISCONDUCT_HEARING, "action": A.DISMISSAL_WITHOUT_NOTICE},
     "needs a live final written warning or several unconnected incidents"),
    ("hearing, misconduct, reduction without FWW", {
        "proceeding": P.MISCONDUCT_HEARING, "action": A.REDUCTION_IN_RANK},
     "needs a live final written warning or several unconnected incidents"),
    ("gross misconduct, written warning", {
        "proceeding": P.MISCONDUCT_HEARING, "finding": F.GROSS_MISCONDUCT,
        "action": A.WRITTEN_WARNING},
     "final written warning, reduction in rank or dismissal without notice"),
    ("accelerated hearing finding misconduct", {
        "proceeding": P.ACCELERATED_HEARING, "finding": F.MISCONDUCT, "action": None},
     "accelerated hearing decides gross misconduct only"),
    ("serving officer would have been dismissed", {
        "proceeding": P.MISCONDUCT_HEARING, "finding": F.GROSS_MISCONDUCT,
        "action": A.WOULD_HAVE_BEEN_DISMISSED}, "applies only to a former officer"),
    ("former officer dismissed", {
        "proceeding": P.MISCONDUCT_HEARING, "finding": F.GROSS_MISCONDUCT,
        "action": A.DISMISSAL_WITHOUT_NOTICE, "former_officer": True},
     "former officer can only be found"),
    ("staff reduced in rank", {
        "subject_type": SubjectType.POLICE_STAFF, "proceeding": P.MISCONDUCT_HEARING,
        "finding": F.GROSS_MISCONDUCT, "action": A.REDUCTION_IN_RANK}, "hold no rank"),
    ("not misconduct with a warning", {"finding": F.NOT_MISCONDUCT},
     "no disciplinary action follows a finding of not misconduct"),
    ("meeting without a case to answer", {"case_to_answer": False},
     "needs a case to answer"),
    ("action without proceedings", {"proceeding": P.NONE}, "there is no finding"),
    ("misconduct names no Standard", {"standards": ()}, "names the Standards breached"),
    ("unknown Standard", {"standards": ("Rudeness",)}, "not a Standard of Professional"),
    ("finalised before recorded", {"finalised_on": date(2024, 12, 1)},
     "before recorded_on"),
    ("proceeding after finalised", {"proceeding_on": date(2025, 7, 1)},
     "after the case was finalised"),
    ("suspension ends before it starts", {"suspended_from": date(2025, 3, 1),
                                         "suspended_to": date(2025, 2, 1)},
     "ends after it starts"),
    ("tribunal appeal from a meeting", {"appeal_lodged_on": date(2025, 6, 20)},
     "lies only from a misconduct hearing or an accelerated hearing"),
    ("appeal result without an appeal", {"appeal_result": AppealResult.ALLOWED},
     "no appeal to the Police Appeals Tribunal was lodged"),
    ("inferred characteristic key", {"characteristics": (("ethnicity_guess", "x"),)},
     "not a protected characteristic"),
]


@pytest.mark.parametrize(("name", "changes"), ALLOWED, ids=[r[0] for r in ALLOWED])
def test_allowed(name: str, changes: dict[str, object]) -> None:
    outcome = replace(BASE, **changes)  # type: ignore[arg-type]
    assert reg42.problems(outcome) == []
    reg42.check(outcome)


@pytest.mark.parametrize(("name", "changes", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused(name: str, changes: dict[str, object], message: str) -> None:
    outcome = replace(BASE, **changes)  # type: ignore[arg-type]
    with pytest.raises(OutcomeRefused, match=message):
        reg42.check(outcome)


DISMISSED = replace(BASE, proceeding=P.MISCONDUCT_HEARING, finding=F.GROSS_MISCONDUCT,
                    action=A.DISMISSAL_WITHOUT_NOTICE, finalised_on=date(2025, 12, 19), id=7)
REFERRAL = BarredListReferral(7, "Alan Grant", "Example Police", date(1985, 4, 2),
                              "police officer", "PC", "12345", "Gross misconduct: Standard 3",
                              date(2025, 12, 29))


def test_five_working_days_skip_weekends_and_bank_holidays() -> None:
    # Friday 19 Dec 2025: Mon 22, Tue 23, Wed 24, (25, 26 bank holidays), Mon 29, Tue 30.
    assert reg42.deadline(date(2025, 12, 19)) == date(2025, 12, 30)
    assert reg42.referral_problems(REFERRAL, DISMISSED) == []
    late = replace(REFERRAL, sent_on=date(2025, 12, 31))
    assert "outside the five working days" in reg42.referral_problems(late, DISMISSED)[0]


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": " "}, "name: required"),
    ({"warrant_number": ""}, "warrant_number: required for an officer"),
    ({"rank": ""}, "rank: required for an officer"),
    ({"status": "constable-ish"}, "status: 'constable-ish' is not one of"),
    ({"reasons": ""}, "reasons: required"),
    ({"date_of_birth": date(2026, 1, 1)}, "date_of_birth: must be before"),
    ({"sent_on": date(2025, 12, 18)}, "outside the five working days"),
])
def test_referral_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(OutcomeRefused, match=message):
        reg42.check_referral(replace(REFERRAL, **changes), DISMISSED)  # type: ignore[arg-type]


def test_referral_only_for_a_dismissal() -> None:
    kept = replace(DISMISSED, action=A.FINAL_WRITTEN_WARNING)
    assert any("only a dismissal" in p for p in reg42.referral_problems(REFERRAL, kept))


def test_staff_referral_needs_no_rank_or_warrant() -> None:
    staff = replace(REFERRAL, status="police staff", rank="", warrant_number="")
    assert reg42.referral_problems(staff, DISMISSED) == []
