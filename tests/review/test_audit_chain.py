from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update

from conductlens.review import audit
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events


def _fill(store: Store, n: int = 5) -> None:
    with store.engine.begin() as conn:
        for i in range(n):
            audit.append(conn, audit.AuditEvent("tester", "test", 1, {"x": [i]}, "because"))


def test_a_fresh_chain_verifies(store: Store) -> None:
    _fill(store)
    with store.engine.connect() as conn:
        result = audit.verify_chain(conn)
    assert result.ok and result.records == 5


def test_each_record_holds_the_hash_of_the_one_before(store: Store) -> None:
    _fill(store, 3)
    with store.engine.connect() as conn:
        rows = conn.execute(select(audit_events).order_by(audit_events.c.id)).mappings().all()
    assert rows[0]["prev_hash"] == audit.GENESIS
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]


def _verify(store: Store) -> audit.VerifyResult:
    with store.engine.connect() as conn:
        return audit.verify_chain(conn)


def test_an_edit_is_detected_where_it_happened(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.id == 3)
                     .values(justification="nothing to see"))
    result = _verify(store)
    assert not result.ok and result.first_bad_id == 3 and "edited" in result.reason


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        row = dict(conn.execute(select(audit_events).where(audit_events.c.id == 2))
                   .mappings().one())
        row["username"] = "someone else"
        fields = {k: row[k] for k in ("id", "ts", "username", "action", "case_id",
                                      "object_ids", "justification", "detail")}
        forged = audit.record_hash(row["prev_hash"], fields)
        conn.execute(update(audit_events).where(audit_events.c.id == 2)
                     .values(username="someone else", hash=forged))
    result = _verify(store)
    assert not result.ok and result.first_bad_id == 3


def test_a_deletion_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.id == 2))
    result = _verify(store)
    assert not result.ok and result.first_bad_id == 3 and "missing" in result.reason


def test_cutting_off_the_end_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.id == 5))
    result = _verify(store)
    assert not result.ok and "truncated" in result.reason


def test_reordering_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        # Swap the contents of records 2 and 4 (ids stay in order).
        conn.execute(update(audit_events).where(audit_events.c.id == 2).values(id=-2))
        conn.execute(update(audit_events).where(audit_events.c.id == 4).values(id=2))
        conn.execute(update(audit_events).where(audit_events.c.id == -2).values(id=4))
    result = _verify(store)
    assert not result.ok and result.first_bad_id == 2


def test_the_demo_world_leaves_a_verifiable_trail(store: Store, world: World) -> None:
    with store.engine.connect() as conn:
        actions = list(conn.scalars(text("SELECT action FROM audit_events ORDER BY id")))
        assert audit.verify_chain(conn).ok
    assert {"user.add", "case.open", "case.subject", "link.auto"} <= set(actions)


@pytest.mark.parametrize("value", [{"b": 1, "a": [1, 2]}, {"a": [1, 2], "b": 1}])
def test_canonical_json_is_order_independent(value: dict[str, object]) -> None:
    assert audit.canonical(value) == '{"a":[1,2],"b":1}'


FIELDS = ("ts", "username", "action", "case_id", "object_ids", "justification", "detail")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.integers(min_value=1, max_value=6), field=st.sampled_from(FIELDS),
       value=st.text(min_size=1, max_size=20))
def test_any_single_field_edit_is_found_at_its_record(
    store: Store, target: int, field: str, value: str,
) -> None:
    with store.engine.begin() as conn:
        if audit.verify_chain(conn).records == 0:
            for i in range(6):
                audit.append(conn, audit.AuditEvent("tester", "test", 1, {"x": [i]}, "why"))
        original = conn.execute(select(audit_events.c[field]).where(
            audit_events.c.id == target)).scalar()
        new: object = len(value) if field == "case_id" else value
        if new == original:
            return
        conn.execute(update(audit_events).where(audit_events.c.id == target)
                     .values({field: new}))
    try:
        result = _verify(store)
        assert not result.ok and result.first_bad_id == target
    finally:
        with store.engine.begin() as conn:
            conn.execute(update(audit_events).where(audit_events.c.id == target)
                         .values({field: original}))
