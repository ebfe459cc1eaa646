"""The auditor's page verifies the chain from its last verified record on, and still
catches an edit or a deletion anywhere in the log (review/audit_mark.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from conductlens.review import audit
from conductlens.review.audit_mark import verify_recent
from conductlens.store import Store
from conductlens.store.tables_review import audit_events, audit_verified


def _fill(store: Store, n: int) -> None:
    with store.engine.begin() as conn:
        for i in range(n):
            audit.append(conn, audit.AuditEvent("tester", "test", 1, {"x": [i]}, "because"))


def _through(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(audit_verified.c.through_id)) or 0)


def _checks(store: Store) -> None:
    _fill(store, 6)
    first = verify_recent(store.engine)
    assert first.ok and first.records == 6 and _through(store) == 6
    _fill(store, 3)  # only these three are walked next time
    assert verify_recent(store.engine).records == 9 and _through(store) == 9
    with store.engine.begin() as conn:  # an old record edited behind the page's back
        conn.execute(update(audit_events).where(audit_events.c.id == 2)
                     .values(username="someone else"))
    broken = verify_recent(store.engine)
    assert not broken.ok and broken.first_bad_id == 2 and "edited" in broken.reason
    assert _through(store) == 0  # the edit made the store forget what had been verified


def test_an_edit_before_the_mark_is_still_found_sqlite(store: Store) -> None:
    _checks(store)


@pytest.mark.postgres
def test_an_edit_before_the_mark_is_still_found_postgresql(pg_store: Store) -> None:
    _checks(pg_store)


def test_a_deletion_before_the_mark_is_found(store: Store) -> None:
    _fill(store, 5)
    assert verify_recent(store.engine).ok
    with store.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.id == 3))
    broken = verify_recent(store.engine)
    assert not broken.ok and broken.first_bad_id == 4 and "missing" in broken.reason


def test_without_its_triggers_the_mark_is_not_trusted(store: Store) -> None:
    _fill(store, 5)
    assert verify_recent(store.engine).ok and _through(store) == 5
    with store.engine.begin() as conn:  # drop the watch, then edit: the mark stays put
        conn.execute(text("DROP TRIGGER audit_events_updated"))
        conn.execute(update(audit_events).where(audit_events.c.id == 1)
                     .values(action="nothing"))
    assert _through(store) == 5
    broken = verify_recent(store.engine)
    assert not broken.ok and broken.first_bad_id == 1


def test_a_forged_mark_does_not_hide_a_cut(store: Store) -> None:
    """A mark naming a record whose hash is not its own is ignored: the walk starts at 1."""
    _fill(store, 4)
    with store.engine.begin() as conn:
        conn.execute(update(audit_verified).values(through_id=3, through_hash="f" * 64))
    result = verify_recent(store.engine)
    assert result.ok and result.records == 4 and _through(store) == 4
    with store.engine.connect() as conn:
        assert audit.verify_chain(conn) == result
