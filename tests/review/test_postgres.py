"""The review library on PostgreSQL (tsvector search, advisory-locked audit appends).

Runs when CONDUCTLENS_TEST_PG_URL names a database; each test works in its own schema.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from conductlens.review import audit
from conductlens.review.access import ReviewSession
from conductlens.review.sample import World, seed_world
from conductlens.store import Store

pytestmark = pytest.mark.postgres
PG_URL = os.environ.get("CONDUCTLENS_TEST_PG_URL", "")


@pytest.fixture
def pg_store() -> Iterator[Store]:
    if not PG_URL:
        pytest.skip("set CONDUCTLENS_TEST_PG_URL to run the PostgreSQL tests")
    schema = f"cl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    store = Store.open(f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}")
    yield store
    store.close()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_scope_search_and_chain_on_postgres(pg_store: Store, authorise: object) -> None:
    world: World = seed_world(pg_store)
    authorise(pg_store, world)  # type: ignore[operator]
    review = ReviewSession(pg_store.engine, world.users["investigator"], world.case_id)
    assert [f.id for f in review.queue()] == list(world.sample.finding_ids[:2])
    results, withheld = review.search("the")
    assert results and withheld >= 1
    assert review.totals().withheld == 4
    with pg_store.engine.connect() as conn:
        assert audit.verify_chain(conn).ok


def test_concurrent_appends_keep_one_chain(pg_store: Store) -> None:
    def write(n: int) -> None:
        for i in range(10):
            with pg_store.engine.begin() as conn:
                audit.append(conn, audit.AuditEvent(f"w{n}", "test", detail={"i": i}))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with pg_store.engine.connect() as conn:
        result = audit.verify_chain(conn)
    assert result.ok and result.records == 40


def test_migration_0003_backfills_case_teams_on_postgres(from_0002: object) -> None:
    if not PG_URL:
        pytest.skip("set CONDUCTLENS_TEST_PG_URL to run the PostgreSQL tests")
    schema = f"cl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    engine = create_engine(f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}")
    try:
        from_0002(engine)  # type: ignore[operator]
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT username FROM case_team ORDER BY username")).all()
        assert [r[0] for r in rows] == ["boss", "opener"]
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
