"""Outcomes and referrals through the store: checked, replaced per subject, audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from conductlens.report import outcomes
from conductlens.report.records import BarredListReferral
from conductlens.report.terms import Action, FindingLevel, OutcomeRefused, Proceeding
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events

FIELDS = {"case_type": "complaint", "subject_type": "police_officer",
          "recorded_on": "2025-01-06", "case_to_answer": "yes",
          "proceeding": "misconduct_hearing", "finding": "gross_misconduct",
          "action": "dismissal_without_notice", "proceeding_on": "2025-12-18",
          "finalised_on": "2025-12-19", "suspended_from": "2025-01-08", "pc_sex": "male",
          "pc_race": ""}


def _actions(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.scalars(select(audit_events.c.action).order_by(audit_events.c.id)))


def test_record_replace_and_refer(store: Store, world: World) -> None:
    pid = world.person_ids["PC1001"]
    outcome = outcomes.outcome_from_fields(world.case_id, pid, FIELDS, ["Equality and diversity"])
    assert outcome.characteristics == (("sex", "male"),)  # blank means not recorded
    assert outcome.days_to_finalise == 347 and outcome.suspended
    with store.engine.begin() as conn:
        oid = outcomes.record_outcome(conn, outcome, "investigator")
        again = outcomes.record_outcome(conn, outcome, "investigator")
        assert again == oid and len(outcomes.case_outcomes(conn, world.case_id)) == 1
        stored = outcomes.case_outcomes(conn, world.case_id)[0]
        assert stored.action == Action.DISMISSAL_WITHOUT_NOTICE
        assert stored.finding == FindingLevel.GROSS_MISCONDUCT
        assert outcomes.referral_due(stored) == date(2025, 12, 30)
        referral = BarredListReferral(oid, "Alan Grant", "Example Police", date(1985, 4, 2),
                                      "police officer", "PC", "1001", "Gross misconduct",
                                      date(2025, 12, 23))
        outcomes.record_referral(conn, referral, "investigator")
        assert outcomes.referral_for(conn, oid) is not None
        with pytest.raises(OutcomeRefused, match="already referred"):
            outcomes.record_referral(conn, referral, "investigator")
    assert _actions(store).count("outcome.record") == 2
    assert "outcome.barred_list" in _actions(store)


def test_refusals_change_nothing(store: Store, world: World) -> None:
    pid = world.person_ids["PC1002"]  # in the register, not a subject
    outcome = outcomes.outcome_from_fields(world.case_id, pid, FIELDS, ["Equality and diversity"])
    with store.engine.begin() as conn, pytest.raises(OutcomeRefused, match="not a subject"):
        outcomes.record_outcome(conn, outcome, "investigator")
    meeting = {**FIELDS, "proceeding": Proceeding.MISCONDUCT_MEETING.value,
               "finding": "misconduct"}
    bad = outcomes.outcome_from_fields(world.case_id, world.person_ids["PC1001"], meeting,
                                       ["Equality and diversity"])
    with store.engine.begin() as conn, pytest.raises(OutcomeRefused, match="written warning"):
        outcomes.record_outcome(conn, bad, "investigator")
    assert "outcome.record" not in _actions(store)


@pytest.mark.parametrize(("changes", "message"), [
    ({"recorded_on": ""}, "recorded_on: the date the case was recorded is required"),
    ({"finalised_on": "19/12/2025"}, "finalised_on: '19/12/2025' is not a date"),
    ({"proceeding": "tribunal"}, "proceeding: 'tribunal' is not one of"),
    ({"case_type": ""}, "case_type: '' is not one of"),
])
def test_bad_fields_are_named(changes: dict[str, str], message: str) -> None:
    with pytest.raises(OutcomeRefused, match=message):
        outcomes.outcome_from_fields(1, 1, {**FIELDS, **changes}, [])
