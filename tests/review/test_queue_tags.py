"""Tags on findings through the door: comments, the force's own tags, the queue's tag filter,
refusals outside the team or the scope, and the audit events each action writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import queue_tools
from conductlens.review.access import Forbidden
from conductlens.review.accounts import add_user
from conductlens.review.door import CaseDoor
from conductlens.review.queue import QueueFilter
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events, finding_tags


def _door(store: Store, world: World, role: str = "investigator") -> CaseDoor:
    return CaseDoor(store.engine, world.users[role], world.case_id)


def _events(store: Store, action: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(audit_events).where(audit_events.c.action == action)
                            .order_by(audit_events.c.id)).mappings().all()
    return [dict(r) for r in rows]


def _tag_rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return len(conn.execute(select(finding_tags.c.id)).all())


def test_a_tag_and_its_comment_are_kept_and_audited(store: Store, scoped: World) -> None:
    door = _door(store, scoped)
    fid = scoped.sample.finding_ids[0]
    assert door.tag([fid], "Non-Compliant", "Demeaning remark about a victim") == 1
    shown = door.tags_of([fid])[fid]
    assert [(x.tag, x.comment, x.username) for x in shown] == [
        ("non-compliant", "Demeaning remark about a victim", "investigator")]
    event = _events(store, "review.tag")[-1]
    assert json.loads(event["object_ids"]) == {"finding": [fid]}
    assert json.loads(event["detail"]) == {"tag": "non-compliant", "comment": True}
    assert "Demeaning" not in event["detail"]  # the log says a comment exists, not what
    door.untag(fid, "non-compliant")
    assert door.tags_of([fid]) == {}
    assert json.loads(_events(store, "review.untag")[-1]["object_ids"]) == {"finding": [fid]}
    assert _tag_rows(store) == 1  # removal keeps the row, marked removed


def test_untagging_a_tag_that_is_not_there_is_refused(store: Store, scoped: World) -> None:
    with pytest.raises(ConductLensError, match="not tagged"):
        _door(store, scoped).untag(scoped.sample.finding_ids[0], "questionable")
    assert _events(store, "review.untag") == []


def test_one_finding_outside_the_scope_refuses_the_whole_selection(
        store: Store, scoped: World) -> None:
    inside, _, outside, private = scoped.sample.finding_ids
    with pytest.raises(ScopeError):
        _door(store, scoped).tag([inside, outside], "questionable")
    with pytest.raises(ScopeError):
        _door(store, scoped).tag([private], "questionable")
    assert _tag_rows(store) == 0 and _events(store, "review.tag") == []


def test_only_the_case_team_and_reviewers_may_tag(store: Store, scoped: World) -> None:
    fid = scoped.sample.finding_ids[0]
    outsider = add_user(store.engine, "inv2", PASSWORD, Role.INVESTIGATOR, "Off the team")
    with pytest.raises(ScopeError, match="no such case"):
        CaseDoor(store.engine, outsider, scoped.case_id).tag([fid], "questionable")
    with pytest.raises(ScopeError, match="no such case"):
        CaseDoor(store.engine, outsider, scoped.case_id).tags_of([fid])
    with pytest.raises(Forbidden):
        _door(store, scoped, "supervisor").tag([fid], "questionable")
    with pytest.raises(ConductLensError, match="unknown tag"):
        _door(store, scoped).tag([fid], "made up")
    assert _tag_rows(store) == 0


def test_tags_of_leaves_out_findings_outside_the_scope(store: Store, scoped: World) -> None:
    inside, _, outside, _ = scoped.sample.finding_ids
    _door(store, scoped).tag([inside], "compliant")
    with store.engine.begin() as conn:  # a tag written before the scope narrowed
        conn.execute(finding_tags.insert().values(
            case_id=scoped.case_id, finding_id=outside, tag="compliant", username="old",
            created_at=datetime.now(UTC)))
    assert set(_door(store, scoped).tags_of([inside, outside])) == {inside}


def test_the_force_adds_its_own_tags(store: Store, scoped: World) -> None:
    supervisor, admin = scoped.users["supervisor"], scoped.users["admin"]
    assert queue_tools.define_force_tag(store.engine, supervisor, "  Needs  Legal ") == (
        "needs legal")
    queue_tools.define_force_tag(store.engine, admin, "racist-language")
    with pytest.raises(ConductLensError, match="already exists"):
        queue_tools.define_force_tag(store.engine, admin, "Compliant")
    with pytest.raises(ConductLensError, match="2 to 40"):
        queue_tools.define_force_tag(store.engine, admin, "<b>x</b>")
    with pytest.raises(Forbidden):
        queue_tools.define_force_tag(store.engine, scoped.users["investigator"], "mine")
    assert [json.loads(e["detail"])["tag"] for e in _events(store, "tag.define")] == [
        "needs legal", "racist-language"]
    door = _door(store, scoped)
    assert door.tag_choices() == ["compliant", "non-compliant", "questionable", "needs legal",
                                  "racist-language"]
    door.tag([scoped.sample.finding_ids[0]], "needs legal")
    assert queue_tools.force_tags(store.engine, admin)[3] == ("needs legal", True)


def test_the_queue_filters_by_tag(store: Store, scoped: World) -> None:
    door = _door(store, scoped)
    first, second = scoped.sample.finding_ids[:2]
    door.tag([first, second], "questionable", "check with the federation rep")
    door.tag([second], "compliant")
    ids = [r.finding.id for r in door.queue_page(QueueFilter(tag="compliant")).rows]
    assert ids == [second]
    assert {r.finding.id for r in door.queue_page(QueueFilter(tag="questionable")).rows} == {
        first, second}
    door.untag(second, "compliant")
    assert door.queue_page(QueueFilter(tag="compliant")).rows == []
    assert QueueFilter.from_query({"tag": "compliant"}).query_string() == "tag=compliant"
