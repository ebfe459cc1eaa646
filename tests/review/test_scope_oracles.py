"""A scope that can't be stretched, and case references that tell outsiders nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from conductlens.review import accounts, scope
from conductlens.review.cases import ReferenceTaken, record_origin
from conductlens.review.door import CaseDoor, open_case
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events, case_details


def _propose(store: Store, world: World, **changes: object) -> int:
    args: dict[str, object] = {
        "subjects": [world.person_ids["PC1001"]], "conversations": [world.sample.group_id],
        "date_from": date(2024, 3, 5), "date_to": date(2024, 3, 15), "categories": [],
        "rationale": "Allegation concerns the Team B group in early March; nothing wider."}
    args.update(changes)
    door = CaseDoor(store.engine, world.users["investigator"], world.case_id)
    return door.propose_scope(**args)  # type: ignore[arg-type]


def test_the_supervisor_sees_what_a_scope_would_expose(store: Store, world: World) -> None:
    sid = _propose(store, world)
    review = CaseDoor(store.engine, world.users["supervisor"], world.case_id).review_scope(sid)
    assert review.subjects == ("Alan Grant (PC1001)",)
    assert review.conversations == ("Response Team B",)
    assert review.messages == 5 and review.findings == 2
    # Everyone who speaks inside it, as the reviewers would see them: the subject by name.
    assert review.participants == ("Alan Grant", "Participant 01", "Participant 03")


def test_stuffing_the_subjects_is_refused(store: Store, world: World) -> None:
    everyone = list(world.person_ids.values())
    with pytest.raises(Exception, match="case's subjects"):
        _propose(store, world, subjects=everyone)


def test_a_proposer_cannot_authorise_through_the_door(store: Store, world: World) -> None:
    sid = _propose(store, world)
    with pytest.raises(Exception, match="may not"):
        CaseDoor(store.engine, world.users["investigator"], world.case_id).decide_scope(
            sid, True, "looks fine to me")
    other = accounts.add_user(store.engine, "sup2", PASSWORD, Role.SUPERVISOR, "Off team")
    with pytest.raises(Exception, match="no such case"):  # off the team: no such case
        CaseDoor(store.engine, other, world.case_id).decide_scope(sid, True, "fine by me")
    with store.engine.connect() as conn:
        assert scope.current(conn, world.case_id) is None


def _outsider(store: Store) -> accounts.User:
    return accounts.add_user(store.engine, "inv2", PASSWORD, Role.INVESTIGATOR, "Outsider")


def test_an_existing_reference_tells_an_outsider_nothing(store: Store, world: World) -> None:
    outsider = _outsider(store)
    with store.engine.begin() as conn:  # a case row an ingest made for someone else
        cid = conn.execute(insert(t.cases).values(reference="PSD-INGESTED",
                                                  created_at=datetime.now(UTC))
                           ).inserted_primary_key[0]
        record_origin(conn, int(cid), "cli:alice", "ingest")
    answers = []
    for ref in (world.sample.reference, "PSD-INGESTED"):
        with pytest.raises(ReferenceTaken) as caught:
            open_case(store.engine, outsider, ref, "Trying my luck")
        answers.append(str(caught.value).replace(ref, "REF"))
    with pytest.raises(ReferenceTaken) as own:  # the team's own case: the same words
        open_case(store.engine, world.users["investigator"], world.sample.reference, "again")
    assert answers[0] == answers[1] == str(own.value).replace(world.sample.reference, "REF")
    assert "open" not in answers[0] and "exist" not in answers[0]
    with store.engine.connect() as conn:
        refused = conn.scalars(select(audit_events.c.detail).where(
            audit_events.c.action == "case.open.refused")).all()
    assert len(refused) == 3


def test_a_case_an_ingest_created_belongs_to_its_creator(store: Store, world: World) -> None:
    inv2 = _outsider(store)
    alice = accounts.add_user(store.engine, "alice", PASSWORD, Role.INVESTIGATOR, "Alice")
    with store.engine.begin() as conn:
        cid = conn.execute(insert(t.cases).values(reference="PSD-ALICE",
                                                  created_at=datetime.now(UTC))
                           ).inserted_primary_key[0]
        record_origin(conn, int(cid), "cli:alice", "ingest")
    with pytest.raises(ReferenceTaken):
        open_case(store.engine, inv2, "PSD-ALICE", "Claiming the exhibits")
    assert open_case(store.engine, alice, "PSD-ALICE", "Alice's own ingest") == cid
    with store.engine.connect() as conn:
        assert conn.scalar(select(case_details.c.opened_by).where(
            case_details.c.case_id == cid)) == "alice"
