"""The paged queue: cost of a page, filters, groups, neighbours and bulk decisions, all
inside the authorised scope."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from conductlens.errors import ScopeError
from conductlens.review.pseudonyms import Namer
from conductlens.review.queue import QueueFilter
from conductlens.review.queue_session import QueueSession
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events

# In-scope messages of the sample: indices 1..5 (6-9 March, the group chat).
EXTRA = ((2, "harassment", "low", 0.31), (3, "harassment", "low", 0.33),
         (5, "confidentiality", "medium", 0.55), (1, "harassment", "medium", 0.51),
         (2, "misogyny", "medium", 0.6), (3, "misogyny", "low", 0.2))


def _finding(conn: Any, world: World, mid: int, cat: str, sev: str, score: float,
             standards: tuple[str, ...] = ("Equality and diversity",)) -> int:
    return int(conn.execute(insert(t.findings).values(
        message_id=mid, exhibit_id=world.sample.exhibit_id, category=cat,
        standards=json.dumps(list(standards)), severity=sev, score=score, detector="test",
        spans="[]", explanation="test finding", policy_version="t",
        created_at=datetime.now(UTC))).inserted_primary_key[0])


def _copy_message(conn: Any, mid: int, day: int) -> int:
    """A repeat of message ``mid`` (same text, same conversation) on ``day`` March."""
    row = dict(conn.execute(select(t.messages).where(t.messages.c.id == mid)).mappings().one())
    new = int(conn.scalar(select(func.max(t.messages.c.id)))) + 1
    seq = int(conn.scalar(select(func.max(t.messages.c.seq)))) + 1
    row.update(id=new, seq=seq, platform_key=None, ts_local=datetime(2024, 3, day, 12))
    conn.execute(insert(t.messages).values(**row))
    return new


@pytest.fixture
def busy(store: Store, scoped: World) -> World:
    """The scoped sample with more findings in scope, and the 6 March remark repeated twice
    (in scope) and once on 20 March (outside the scope)."""
    mids = scoped.sample.message_ids
    with store.engine.begin() as conn:
        for i, cat, sev, score in EXTRA:
            _finding(conn, scoped, mids[i], cat, sev, score)
        for day in (10, 11, 20):
            _finding(conn, scoped, _copy_message(conn, mids[1], day), "misogyny", "high", 0.9)
        _finding(conn, scoped, mids[4], "misuse_of_systems", "low", 0.1, ("Confidentiality",))
    return scoped


def _session(store: Store, world: World, role: str = "investigator") -> QueueSession:
    return QueueSession(store.engine, world.users[role], world.case_id)


def _all_ids(page: Any) -> list[int]:
    return [r.finding.id for r in page.rows]


def test_a_page_masks_only_its_own_messages(store: Store, busy: World,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    masked: list[str] = []
    real = Namer.mask

    def counting(self: Namer, text: str) -> Any:
        masked.append(text)
        return real(self, text)

    monkeypatch.setattr(Namer, "mask", counting)
    with store.engine.connect() as conn:
        texts = set(conn.scalars(select(t.messages.c.text)))
    page = _session(store, busy).queue_page(QueueFilter(low=True, grouped=False), per_page=2)
    assert page.findings == 11 and page.total == 11 and len(page.rows) == 2
    assert len([x for x in masked if x in texts]) <= 2  # the page's messages, no more


def test_out_of_scope_findings_are_never_counted_or_paged(store: Store, busy: World) -> None:
    session = _session(store, busy)
    every = QueueFilter(low=True, grouped=False)
    seen = [f for n in range(1, 5) for f in _all_ids(session.queue_page(every, n, 4))]
    with store.engine.connect() as conn:
        outside = set(conn.scalars(select(t.findings.c.id).join(
            t.messages, t.messages.c.id == t.findings.c.message_id).where(
            (t.messages.c.conversation_id != busy.sample.group_id)
            | (t.messages.c.ts_local > datetime(2024, 3, 16)))))
    assert len(seen) == len(set(seen)) == 11 and not outside & set(seen)
    assert len(outside) == 3  # 18 March, the private chat, the 20 March repeat
    # A filter cannot reach outside: the private chat and a late date give nothing.
    private = session.queue_page(QueueFilter(low=True, conversation=busy.sample.private_id))
    assert private.total == private.findings == 0 and not private.rows
    late = session.queue_page(QueueFilter(low=True, day_from=date(2024, 3, 16)))
    assert late.findings == 0
    with pytest.raises(ScopeError):
        session.neighbours(busy.sample.finding_ids[3], every)


def test_pages_follow_the_sort_and_count_truly(store: Store, busy: World) -> None:
    session = _session(store, busy)
    flt = QueueFilter(low=True, grouped=False)
    first, second = session.queue_page(flt, 1, 10), session.queue_page(flt, 2, 10)
    assert (first.first, first.last, second.first, second.last) == (1, 10, 11, 11)
    assert first.pages == 2
    everything = [r.finding for r in first.rows + second.rows]
    ranks = [{"high": 3, "medium": 2, "low": 1}[f.severity] for f in everything]
    assert ranks == sorted(ranks, reverse=True)
    by_time = [r.finding.message.when for r in session.queue_page(
        QueueFilter(low=True, grouped=False, sort="time"), 1, 50).rows]
    assert by_time == sorted(by_time)  # type: ignore[type-var]
    cats = [r.finding.category for r in session.queue_page(
        QueueFilter(low=True, grouped=False, sort="category"), 1, 50).rows]
    assert cats == sorted(cats)


def test_filters_narrow_the_queue(store: Store, busy: World) -> None:
    session = _session(store, busy)
    harass = session.queue_page(QueueFilter(low=True, category="harassment", grouped=False))
    assert harass.findings == 3 and {r.finding.category for r in harass.rows} == {"harassment"}
    low = session.queue_page(QueueFilter(low=True, severity="low", grouped=False))
    assert {r.finding.severity for r in low.rows} == {"low"} and low.findings == 4
    std = session.queue_page(QueueFilter(low=True, standard="Confidentiality"))
    assert [r.finding.standards for r in std.rows] == [("Confidentiality",)]
    alan = session.queue_page(QueueFilter(low=True, sender="alan grant", grouped=False))
    assert alan.findings and {r.finding.message.sender.label for r in alan.rows} == {
        "Alan Grant"}
    nobody = session.queue_page(QueueFilter(low=True, sender="Participant 99"))
    assert nobody.findings == 0
    day = session.queue_page(QueueFilter(low=True, day_from=date(2024, 3, 8),
                                         day_to=date(2024, 3, 8)))
    assert day.findings == 2  # the 8 March message's two findings
    session.decide(busy.sample.finding_ids[0], "relevant")
    relevant = session.queue_page(QueueFilter(low=True, decision="relevant"))
    assert _all_ids(relevant) == [busy.sample.finding_ids[0]]
    undecided = QueueFilter(low=True, decision="undecided", grouped=False)
    assert session.queue_page(undecided).findings == 10


def test_identical_messages_are_one_row_and_decided_together(store: Store,
                                                             busy: World) -> None:
    session = _session(store, busy)
    page = session.queue_page(QueueFilter(low=True))
    row = page.rows[0]
    assert row.count == 3 and row.finding.id == busy.sample.finding_ids[0]
    # Three repeats of the remark are one row; so are two misuse findings on one message.
    assert page.findings == 11 and page.total == 8
    members = session.group_of(row.finding.id, QueueFilter(low=True))
    assert len(members) == 3 and set(members) == {m.id for m in row.members}
    assert session.decide_many(members, "not_relevant", "a repeated joke") == 3
    with store.engine.connect() as conn:
        decided = [json.loads(ids)["finding"][0] for ids in conn.scalars(
            select(audit_events.c.object_ids).where(audit_events.c.action == "review.decide"))]
    assert sorted(decided) == sorted(members)  # one audit event a finding
    undecided = session.queue_page(QueueFilter(low=True, decision="undecided"))
    assert undecided.findings == 8 and row.finding.id not in _all_ids(undecided)


def test_a_bulk_decision_outside_the_scope_refuses_the_lot(store: Store, busy: World) -> None:
    session = _session(store, busy)
    inside, outside = busy.sample.finding_ids[0], busy.sample.finding_ids[3]
    with pytest.raises(ScopeError):
        session.decide_many([inside, outside], "relevant")
    assert session.queue_page(QueueFilter(low=True, decision="relevant")).findings == 0


def test_neighbours_are_found_in_the_filtered_order(store: Store, busy: World) -> None:
    session = _session(store, busy)
    for flt in (QueueFilter(low=True, grouped=False),
                QueueFilter(low=True, grouped=False, sort="time"),
                QueueFilter(low=True, grouped=False, sort="category", severity="medium")):
        ids = _all_ids(session.queue_page(flt, 1, 50))
        for i, fid in enumerate(ids):
            before, after = session.neighbours(fid, flt)
            assert before == (ids[i - 1] if i else None)
            assert after == (ids[i + 1] if i + 1 < len(ids) else None)
    # Once decided, a finding leaves the undecided queue, and "next" is still the next.
    undecided = QueueFilter(low=True, decision="undecided", grouped=False)
    ids = _all_ids(session.queue_page(undecided))
    session.decide(ids[1], "relevant")
    assert session.neighbours(ids[1], undecided) == (ids[0], ids[2])


def test_low_severity_waits_until_asked_for(store: Store, busy: World) -> None:
    """Issue 8: the default queue shows medium and high; it says how many low it leaves out,
    and "include low" (or asking for low by name) shows them."""
    session = _session(store, busy)
    default = session.queue_page(QueueFilter(grouped=False))
    every = session.queue_page(QueueFilter(grouped=False, low=True))
    assert {r.finding.severity for r in default.rows} == {"high", "medium"}
    lows = [r.finding.id for r in every.rows if r.finding.severity == "low"]
    assert default.low_hidden == len(lows) == every.findings - default.findings == 4
    assert every.low_hidden == 0
    named = session.queue_page(QueueFilter(grouped=False, severity="low"))
    assert sorted(_all_ids(named)) == sorted(lows) and named.low_hidden == 0
    harass = session.queue_page(QueueFilter(category="harassment", grouped=False))
    assert harass.low_hidden == 2  # the count follows the other filters
    assert QueueFilter.from_query({"low": "1"}) == QueueFilter(low=True)
