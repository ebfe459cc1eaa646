"""The sender's other findings on a finding page: inside the scope only, the sender shown as
the case shows them (a pseudonym where masked), true counts, and audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from conductlens.errors import ScopeError
from conductlens.review.accounts import add_user
from conductlens.review.door import CaseDoor
from conductlens.review.queue import QueueFilter
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events


def _add(conn: Any, world: World, index: int, category: str, severity: str = "medium") -> int:
    return int(conn.execute(insert(t.findings).values(
        message_id=world.sample.message_ids[index], exhibit_id=world.sample.exhibit_id,
        category=category, standards=json.dumps(["Authority, respect and courtesy"]),
        severity=severity, score=0.5, detector="test", spans="[]", explanation="test",
        policy_version="t", created_at=datetime.now(UTC))).inserted_primary_key[0])


@pytest.fixture
def carl(store: Store, scoped: World) -> tuple[int, int, int]:
    """Three findings on Carl Diaz's in-scope messages (a bystander: a pseudonym)."""
    with store.engine.begin() as conn:
        return (_add(conn, scoped, 3, "standard10"), _add(conn, scoped, 3, "harassment", "low"),
                _add(conn, scoped, 5, "confidentiality"))


def _door(store: Store, world: World) -> CaseDoor:
    return CaseDoor(store.engine, world.users["investigator"], world.case_id)


def test_a_subjects_other_findings_are_those_inside_the_scope(store: Store,
                                                              scoped: World) -> None:
    first, second, outside, private = scoped.sample.finding_ids
    shown = _door(store, scoped).sender_findings(first)
    assert shown.sender.label == "Alan Grant" and shown.sender.kind == "subject"
    assert [x.id for x in shown.items] == [second] and shown.total == 1
    assert {outside, private}.isdisjoint(x.id for x in shown.items)
    with store.engine.connect() as conn:
        event = conn.execute(select(audit_events).where(
            audit_events.c.action == "view.sender_findings")).mappings().one()
    assert json.loads(event["object_ids"]) == {"finding": [second]}


def test_a_bystander_is_a_pseudonym_and_counts_agree_with_the_queue(
        store: Store, scoped: World, carl: tuple[int, int, int]) -> None:
    door = _door(store, scoped)
    shown = door.sender_findings(carl[0], limit=1)
    assert shown.sender.masked and shown.sender.label.startswith("Participant")
    assert shown.total == 2 and [x.id for x in shown.items] == [carl[1]]  # by time, then id
    queue = door.queue_page(QueueFilter(sender=shown.sender.label, grouped=False,
                                      low=True))
    assert queue.findings == shown.total + 1  # the queue's sender filter, this one included


def test_outside_the_scope_or_the_team_nothing_is_listed(store: Store, scoped: World) -> None:
    with pytest.raises(ScopeError):
        _door(store, scoped).sender_findings(scoped.sample.finding_ids[2])
    outsider = add_user(store.engine, "inv2", PASSWORD, Role.INVESTIGATOR, "Off the team")
    with pytest.raises(ScopeError, match="no such case"):
        CaseDoor(store.engine, outsider, scoped.case_id).sender_findings(
            scoped.sample.finding_ids[0])
