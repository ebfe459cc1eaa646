"""Outcomes and referrals through the case's door: role, team and case are checked there,
and the actor is the signed-in user, whatever the caller passes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from conductlens.errors import ScopeError
from conductlens.report import outcomes
from conductlens.report.records import BarredListReferral
from conductlens.report.terms import OutcomeRefused
from conductlens.review import cases
from conductlens.review.access import Forbidden
from conductlens.review.accounts import add_user
from conductlens.review.door import CaseDoor
from conductlens.review.roles import Role
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events

FIELDS = {"case_type": "complaint", "subject_type": "police_officer",
          "recorded_on": "2025-01-06", "case_to_answer": "yes",
          "proceeding": "misconduct_hearing", "finding": "gross_misconduct",
          "action": "dismissal_without_notice", "proceeding_on": "2025-12-18",
          "finalised_on": "2025-12-19"}


def _outcome(world: World, case_id: int | None = None) -> outcomes.Outcome:
    return outcomes.outcome_from_fields(case_id or world.case_id, world.person_ids["PC1001"],
                                        FIELDS, ["Equality and diversity"])


def _referral(outcome_id: int) -> BarredListReferral:
    return BarredListReferral(outcome_id, "Alan Grant", "Example Police", date(1985, 4, 2),
                              "police officer", "PC", "1001", "Gross misconduct",
                              date(2025, 12, 23))


def _actors(store: Store, action: str) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.scalars(select(audit_events.c.username)
                                 .where(audit_events.c.action == action)))


def test_the_team_records_an_outcome_and_referral_as_itself(store: Store, world: World) -> None:
    door = CaseDoor(store.engine, world.users["investigator"], world.case_id)
    oid = door.record_outcome(_outcome(world))
    door.record_referral(_referral(oid))
    page = door.outcomes()
    assert page["recorded"][world.person_ids["PC1001"]].id == oid
    assert page["referrals"][oid] is not None
    assert _actors(store, "outcome.record") == ["investigator"]
    assert _actors(store, "outcome.barred_list") == ["investigator"]


def test_roles_and_teams_that_may_not_write_outcomes(store: Store, world: World) -> None:
    analyst = CaseDoor(store.engine, world.users["analyst"], world.case_id)
    with pytest.raises(Forbidden):
        analyst.record_outcome(_outcome(world))
    outsider = add_user(store.engine, "other", "a long enough passphrase", Role.INVESTIGATOR,
                        "Other Investigator")
    with pytest.raises(ScopeError, match="no such case"):
        CaseDoor(store.engine, outsider, world.case_id).record_outcome(_outcome(world))
    with pytest.raises(ScopeError, match="no such case"):
        CaseDoor(store.engine, outsider, world.case_id).outcomes()
    assert _actors(store, "outcome.record") == []


def test_an_outcome_or_referral_of_another_case_is_refused(store: Store, world: World) -> None:
    with store.engine.begin() as conn:
        other = cases.open_case(conn, "PSD-2024-0002", "Another matter", "investigator")
        cases.add_subject(conn, other, world.person_ids["PC1001"], "investigator")
    door = CaseDoor(store.engine, world.users["investigator"], world.case_id)
    with pytest.raises(ScopeError, match="another case"):
        door.record_outcome(_outcome(world, other))
    elsewhere = CaseDoor(store.engine, world.users["investigator"], other).record_outcome(
        _outcome(world, other))
    with pytest.raises(OutcomeRefused, match="in this case"):
        door.record_referral(_referral(elsewhere))
    assert _actors(store, "outcome.barred_list") == []
