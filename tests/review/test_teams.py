"""Case teams: who is on a case, who may reach it, and the audit trail of every change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import accounts, audit, cases, team_duties, teams
from conductlens.review.access import ReviewSession
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store.tables_review import case_team


def _user(store: Store, name: str, role: Role) -> accounts.User:
    return accounts.add_user(store.engine, name, PASSWORD, role, name.title())


def _actions(store: Store, case_id: int) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [r for r in audit.export_rows(conn, case_id=case_id)
                if r["action"].startswith("case.team")]


def test_the_opener_is_on_the_team_and_that_is_recorded(store: Store, world: World) -> None:
    with store.engine.connect() as conn:
        team = {m.username: m.role for m in teams.members(conn, world.case_id)}
    assert team == {"investigator": "investigator", "supervisor": "supervisor"}
    first = _actions(store, world.case_id)[0]
    assert first["username"] == "investigator" and first["justification"] == teams.OPENED


def test_adding_and_removing_need_a_second_person_and_are_audited(store: Store,
                                                                  world: World) -> None:
    _user(store, "inv2", Role.INVESTIGATOR)
    with store.engine.begin() as conn:
        change = teams.add_member(conn, world.case_id, "inv2", "admin", "Covering leave in March")
        assert change is not None and not teams.is_member(conn, world.case_id, "inv2")
        team_duties.decide(conn, change, world.users["supervisor"], True, "Agreed for March")
        assert teams.is_member(conn, world.case_id, "inv2")
        change = teams.remove_member(conn, world.case_id, "inv2", "investigator",
                                     "Back from leave")
        assert change is not None
        team_duties.decide(conn, change, world.users["admin"], True, "Agreed")
    request, approve, add, request2, approve2, remove = _actions(store, world.case_id)[-6:]
    assert (request["action"], request["username"]) == ("case.team.request", "admin")
    assert (approve["action"], approve["username"]) == ("case.team.approve", "supervisor")
    assert (add["action"], add["username"], add["justification"]) == (
        "case.team.add", "supervisor", "Covering leave in March")
    assert '"requested_by":"admin"' in add["detail"]
    assert (remove["action"], remove["justification"]) == ("case.team.remove", "Back from leave")
    assert '"username":"inv2"' in remove["detail"]
    with store.engine.connect() as conn:
        assert audit.verify_chain(conn).ok


@pytest.mark.parametrize(("username", "reason", "message"), [
    ("auditor", "reads the log", "not assigned to case teams"),
    ("analyst", "needs totals", "not assigned to case teams"),
    ("nobody", "who is this", "no active account"),
    ("supervisor", "again please", "already on the case team"),
    ("investigator", "no", "give a reason"),
])
def test_who_may_join(store: Store, world: World, username: str, reason: str,
                      message: str) -> None:
    with store.engine.begin() as conn, pytest.raises(ConductLensError, match=message):
        teams.add_member(conn, world.case_id, username, "admin", reason)


def test_a_team_keeps_one_investigator(store: Store, world: World) -> None:
    with store.engine.begin() as conn, pytest.raises(ConductLensError, match="at least one"):
        teams.remove_member(conn, world.case_id, "investigator", "admin", "Reassigned")
    with store.engine.begin() as conn, pytest.raises(ConductLensError, match="not on the"):
        teams.remove_member(conn, world.case_id, "auditor", "admin", "Never was on it")


def test_only_members_reach_a_case(store: Store, scoped: World) -> None:
    inv2 = _user(store, "inv2", Role.INVESTIGATOR)
    with store.engine.begin() as conn:
        other = cases.open_case(conn, "PSD-OTHER", "Another allegation", "inv2")
        ids = [c.id for c in cases.list_cases(conn)]
        assert teams.visible_cases(conn, inv2, ids) == [other]
        assert teams.visible_cases(conn, scoped.users["auditor"], ids) == ids
        assert teams.visible_cases(conn, scoped.users["analyst"], ids) == ids
        assert not teams.may_open(conn, inv2, scoped.case_id)
        assert not teams.may_open(conn, scoped.users["auditor"], 9999)
    for call in ("queue", "totals", "people"):
        with pytest.raises(ScopeError, match="no such case"):
            getattr(ReviewSession(store.engine, inv2, scoped.case_id), call)()
    assert ReviewSession(store.engine, scoped.users["supervisor"], scoped.case_id).queue()


def test_migration_puts_those_who_acted_on_a_case_on_its_team(tmp_path: Path,
                                                              from_0002: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    from_0002(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(case_team.c.username, case_team.c.added_by)).all()
    engine.dispose()
    assert sorted(rows) == [("boss", "migration 0003"), ("opener", "migration 0003")]
