from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import Engine, insert

from conductlens.review import accounts
from conductlens.review.sample import (
    LongChat,
    World,
    authorise_sample_scope,
    seed_world,
    write_long_chat,
)
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.migrate import alembic_config
from conductlens.store.tables_review import case_details, scopes


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters in tests (the real ones cost ~50 ms a hash)."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64,
                                                            parallelism=1))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(str(tmp_path / "review.db"))
    yield s
    s.close()


@pytest.fixture
def world(store: Store) -> World:
    return seed_world(store)


@pytest.fixture
def scoped(store: Store, world: World) -> World:
    authorise_sample_scope(store, world)
    return world


@pytest.fixture
def authorise() -> object:
    return authorise_sample_scope


@pytest.fixture
def chat(store: Store, world: World) -> LongChat:
    """A 620-message chat in the case, with the usual scope widened to cover it."""
    long = write_long_chat(store, world.case_id)
    authorise_sample_scope(store, world, conversations=[world.sample.group_id,
                                                        long.conversation_id])
    return long


def upgrade_from_0002(engine: Engine) -> None:
    """Build the schema as of 0002 with one case, its opener and a decided scope, then
    migrate to head (0003 backfills the case team)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        cid = conn.execute(insert(t.cases).values(reference="OLD-1", created_at=now)
                           ).inserted_primary_key[0]
        conn.execute(insert(case_details).values(case_id=cid, allegation="old", status="opened",
                                                 opened_by="opener"))
        conn.execute(insert(scopes).values(
            case_id=cid, subjects="[]", conversations="[]", date_from=date(2024, 1, 1),
            date_to=date(2024, 1, 2), categories="[]", rationale="r", status="authorised",
            proposed_by="opener", proposed_at=now, decided_by="boss", decided_at=now,
            decision_reason="ok"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@pytest.fixture
def from_0002() -> object:
    return upgrade_from_0002
