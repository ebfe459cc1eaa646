"""Escalation through the door: to a named member of the case team with a note, the second
review that closes it, the queue's escalation filter, the refusals and the audit events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review.access import Forbidden
from conductlens.review.accounts import add_user
from conductlens.review.door import CaseDoor
from conductlens.review.queue import QueueFilter
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events, escalations


def _door(store: Store, world: World, role: str = "investigator") -> CaseDoor:
    return CaseDoor(store.engine, world.users[role], world.case_id)


def _event(store: Store, action: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(audit_events).where(audit_events.c.action == action)
                           .order_by(audit_events.c.id.desc())).mappings().first()
    return dict(row) if row else None


def _queue(door: CaseDoor, which: str) -> list[int]:
    return [r.finding.id for r in door.queue_page(QueueFilter(escalation=which)).rows]


def test_escalate_then_second_review(store: Store, scoped: World) -> None:
    investigator, supervisor = _door(store, scoped), _door(store, scoped, "supervisor")
    fid = scoped.sample.finding_ids[0]
    assert investigator.escalation_choices() == [
        ("supervisor", "Supervisor Example", "supervisor")]
    eid = investigator.escalate(fid, "supervisor", "Is 'classic' a Standard 10 failure?")
    shown = investigator.escalations_of([fid])[fid]
    assert [(e.to_username, e.status, e.escalated_by) for e in shown] == [
        ("supervisor", "escalated", "investigator")]
    event = _event(store, "review.escalate")
    assert event is not None and json.loads(event["object_ids"]) == {"finding": [fid]}
    assert json.loads(event["detail"]) == {"to": "supervisor", "escalation": eid}
    assert "Standard 10" not in event["detail"]  # the note stays out of the log
    assert _queue(supervisor, "to_me") == [fid] and _queue(investigator, "to_me") == []
    assert _queue(investigator, "open") == [fid] and _queue(investigator, "reviewed") == []

    supervisor.second_review(fid, "relevant", "Yes: it endorses the remark")
    done = supervisor.escalations_of([fid])[fid][0]
    assert (done.status, done.review_decision, done.review_note) == (
        "reviewed", "relevant", "Yes: it endorses the remark")
    review = _event(store, "review.second_review")
    assert review is not None and json.loads(review["detail"]) == {
        "decision": "relevant", "escalation": eid}
    assert _queue(supervisor, "to_me") == [] and _queue(supervisor, "reviewed") == [fid]
    # Reviewed, it may be escalated again.
    investigator.escalate(fid, "supervisor", "New material from the second exhibit")
    assert _queue(supervisor, "to_me") == [fid]


def _rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return len(conn.execute(select(escalations.c.id)).all())


def test_escalation_goes_only_to_a_reviewer_on_the_team(store: Store, scoped: World) -> None:
    add_user(store.engine, "inv2", PASSWORD, Role.INVESTIGATOR, "Off the team")
    door = _door(store, scoped)
    fid = scoped.sample.finding_ids[0]
    for to in ("inv2", "investigator", "admin", "auditor", "nobody"):
        with pytest.raises(ConductLensError, match="not a reviewer on this case's team"):
            door.escalate(fid, to, "please look at this")
    with pytest.raises(ConductLensError, match="say why"):
        door.escalate(fid, "supervisor", " ")
    assert _rows(store) == 0 and _event(store, "review.escalate") is None


def test_escalation_is_refused_outside_the_scope_or_the_team(store: Store,
                                                             scoped: World) -> None:
    outsider = add_user(store.engine, "sup2", PASSWORD, Role.SUPERVISOR, "Off the team")
    inside, _, outside, private = scoped.sample.finding_ids
    for fid in (outside, private):
        with pytest.raises(ScopeError):
            _door(store, scoped).escalate(fid, "supervisor", "please look at this")
    with pytest.raises(ScopeError, match="no such case"):
        CaseDoor(store.engine, outsider, scoped.case_id).escalate(
            inside, "supervisor", "please look at this")
    with pytest.raises(ScopeError, match="no such case"):
        CaseDoor(store.engine, outsider, scoped.case_id).escalations_of([inside])
    with pytest.raises(Forbidden):
        _door(store, scoped, "analyst").escalate(inside, "supervisor", "please look")
    assert _rows(store) == 0


def test_only_the_named_reviewer_records_the_second_review(store: Store,
                                                           scoped: World) -> None:
    investigator, supervisor = _door(store, scoped), _door(store, scoped, "supervisor")
    fid = scoped.sample.finding_ids[0]
    investigator.escalate(fid, "supervisor", "please look at this")
    with pytest.raises(ConductLensError, match="already awaiting"):
        investigator.escalate(fid, "supervisor", "and again")
    with pytest.raises(ConductLensError, match="not awaiting your second review"):
        investigator.second_review(fid, "relevant")
    with pytest.raises(ConductLensError, match="decision must be"):
        supervisor.second_review(fid, "guilty")
    with pytest.raises(ConductLensError, match="not awaiting your second review"):
        supervisor.second_review(scoped.sample.finding_ids[1], "relevant")
    assert _event(store, "review.second_review") is None
    assert supervisor.escalations_of([fid])[fid][0].open
