from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from conductlens.errors import ConductLensError, ScopeError
from conductlens.review import scope
from conductlens.review._shaping import csv_safe
from conductlens.review.access import Forbidden, ReviewSession
from conductlens.review.cases import CaseStatus, find_case
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events

Authorise = Callable[..., int]


def _session(store: Store, world: World, role: str = "investigator") -> ReviewSession:
    return ReviewSession(store.engine, world.users[role], world.case_id)


def _actions(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.scalars(select(audit_events.c.action).order_by(audit_events.c.id)))


def test_without_an_authorised_scope_nothing_is_readable(store: Store, world: World) -> None:
    review = _session(store, world)
    with pytest.raises(ScopeError):
        review.queue()
    totals = review.totals()
    assert totals.in_scope == 0 and totals.withheld == 9


def test_a_proposer_cannot_authorise_their_own_scope(store: Store, world: World) -> None:
    with store.engine.begin() as conn:
        sid = scope.propose(
            conn, world.case_id, "investigator", subjects=[], conversations=[world.sample.group_id],
            date_from=date(2024, 3, 1), date_to=date(2024, 3, 31), categories=[],
            rationale="A rationale that is long enough to count.")
    with store.engine.begin() as conn, pytest.raises(ConductLensError, match="cannot decide"):
        scope.authorise(conn, sid, "investigator", "looks fine to me")


@pytest.mark.parametrize(("changes", "error"), [
    ({"rationale": "too short"}, "rationale"),
    ({"date_to": date(2024, 3, 1)}, "ends before"),
    ({"conversations": []}, "at least one"),
    ({"conversations": [9999]}, "not in this case"),
    ({"subjects": [9999]}, "case's subjects"),
    ({"subjects": [2]}, "case's subjects"),  # Beth is in the register, not a case subject
    ({"categories": ["everything"]}, "unknown category"),
])
def test_bad_proposals_are_refused(store: Store, world: World, authorise: Authorise,
                                   changes: dict[str, object], error: str) -> None:
    with pytest.raises(ConductLensError, match=error):
        authorise(store, world, **changes)


def test_scope_limits_the_queue_and_totals(store: Store, scoped: World) -> None:
    review = _session(store, scoped)
    queue = review.queue()
    # Findings on 18 March and in the private chat lie outside the scope.
    assert [f.id for f in queue] == [scoped.sample.finding_ids[0], scoped.sample.finding_ids[1]]
    assert queue[0].severity == "high"
    totals = review.totals()
    assert (totals.in_scope, totals.withheld, totals.findings_in_scope) == (5, 4, 2)
    assert find_case_status(store, scoped) == CaseStatus.SCOPE_AUTHORISED


def find_case_status(store: Store, world: World) -> CaseStatus:
    with store.engine.connect() as conn:
        return find_case(conn, world.case_id).status


def test_out_of_scope_ids_are_refused(store: Store, scoped: World) -> None:
    review = _session(store, scoped)
    outside_message = scoped.sample.message_ids[7]  # private chat
    with pytest.raises(ScopeError):
        review.message(outside_message)
    with pytest.raises(ScopeError):
        review.finding(scoped.sample.finding_ids[3])
    with pytest.raises(ScopeError):
        review.conversation(scoped.sample.private_id)
    with pytest.raises(ScopeError):
        review.decide(scoped.sample.finding_ids[2], "relevant")


def test_context_is_limited_to_the_scope(store: Store, scoped: World) -> None:
    found, context = _session(store, scoped).finding(scoped.sample.finding_ids[0], around=10)
    ids = [m.id for m in context]
    assert found.message.id in ids
    assert scoped.sample.message_ids[0] not in ids  # 1 March: before the scope
    assert scoped.sample.message_ids[6] not in ids  # 18 March: after it
    assert "view.finding" in _actions(store)


def test_search_finds_only_inside_and_counts_the_rest(store: Store, scoped: World) -> None:
    # The withheld figure is the scope's total (4 of the 9 messages lie outside), the same
    # for every query: a per-query count would confirm a guessed word outside the scope.
    results, withheld = _session(store, scoped).search("neighbour photo custody")
    assert results == [] and withheld == 4
    results, withheld = _session(store, scoped).search("the")
    assert {m.id for m in results} <= set(scoped.sample.message_ids[1:6])
    assert withheld == 4
    assert _actions(store)[-1] == "search"


def test_conversation_filters(store: Store, scoped: World) -> None:
    review = _session(store, scoped)
    everything = review.conversation(scoped.sample.group_id)
    assert len(everything) == 5
    flagged = review.conversation(scoped.sample.group_id, flagged_only=True)
    assert all(m.flagged for m in flagged) and len(flagged) == 2
    one_day = review.conversation(scoped.sample.group_id, day_from=date(2024, 3, 8),
                                  day_to=date(2024, 3, 8))
    assert len(one_day) == 1
    assert review.conversation(scoped.sample.group_id, contains="BWV")[0].flagged


def test_roles_without_content_access_are_refused(store: Store, scoped: World) -> None:
    for role in ("auditor", "analyst", "admin"):
        with pytest.raises(Forbidden):
            _session(store, scoped, role).queue()
    with pytest.raises(Forbidden):
        _session(store, scoped, "supervisor").decide(scoped.sample.finding_ids[0], "relevant")


def test_decisions_are_recorded_and_move_the_case_on(store: Store, scoped: World) -> None:
    review = _session(store, scoped)
    review.decide(scoped.sample.finding_ids[0], "relevant", "clear misogyny")
    assert review.queue(include_decided=False)[0].id == scoped.sample.finding_ids[1]
    assert find_case_status(store, scoped) == CaseStatus.UNDER_REVIEW
    with pytest.raises(ConductLensError):
        review.decide(scoped.sample.finding_ids[1], "maybe")


def test_widening_is_a_new_authorisation(store: Store, scoped: World,
                                         authorise: Authorise) -> None:
    review = _session(store, scoped)
    assert len(review.queue()) == 2
    authorise(store, scoped, conversations=[scoped.sample.group_id, scoped.sample.private_id],
              date_to=date(2024, 3, 31),
              rationale="Widened: the private chat shows a PNC disclosure to a friend.")
    assert len(review.queue()) == 4
    with store.engine.connect() as conn:
        statuses = [s.status for s in scope.history(conn, scoped.case_id)]
    assert statuses == ["authorised", "superseded"]


def test_category_limits(store: Store, world: World, authorise: Authorise) -> None:
    authorise(store, world, categories=["misogyny"])
    assert [f.category for f in _session(store, world).queue()] == ["misogyny"]


def test_export_is_a_recorded_disclosure_and_formula_safe(store: Store, scoped: World) -> None:
    data = _session(store, scoped).export_csv("IOPC", "disclosure to the panel")
    assert "slag" in data and "custody photo" not in data and "PNC" not in data
    assert "Alan Grant" in data
    assert _actions(store)[-1] == "export"


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("@x", "'@x"), ("ok", "ok")])
def test_csv_cells_cannot_start_a_formula(cell: str, safe: str) -> None:
    assert csv_safe(cell) == safe


def test_timeline_counts_by_day_and_category(store: Store, scoped: World) -> None:
    assert _session(store, scoped).timeline() == [
        (date(2024, 3, 6), "misogyny", 1), (date(2024, 3, 8), "misuse_of_systems", 1)]


def test_totals_kept_between_pages_follow_new_messages_and_a_new_scope(
        store: Store, scoped: World, authorise: Authorise) -> None:
    from conductlens.review.sample import write_long_chat

    review = _session(store, scoped)
    assert (review.totals().in_scope, review.totals().withheld) == (5, 4)
    chat = write_long_chat(store, scoped.case_id, count=60)  # 63 more messages in the case
    assert (review.totals().in_scope, review.totals().withheld) == (5, 67)
    authorise(store, scoped, conversations=[scoped.sample.group_id, chat.conversation_id])
    assert (review.totals().in_scope, review.totals().withheld) == (65, 7)
