from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from conductlens.review import accounts
from conductlens.review.sample import World, authorise_sample_scope, seed_world
from conductlens.store import Store


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64,
                                                            parallelism=1))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(str(tmp_path / "report.db"))
    yield s
    s.close()


@pytest.fixture
def world(store: Store) -> World:
    return seed_world(store)


@pytest.fixture
def scoped(store: Store, world: World) -> World:
    """The sample case with the usual scope authorised (Team B group, 5 to 15 March)."""
    authorise_sample_scope(store, world,
                           rationale="Allegation concerns the Team B group in early March.")
    return world
