from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from conductlens.review import accounts, scope
from conductlens.review.sample import World, seed_world
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
    with store.engine.begin() as conn:
        sid = scope.propose(conn, world.case_id, "investigator",
                            subjects=[world.person_ids["PC1001"]],
                            conversations=[world.sample.group_id], date_from=date(2024, 3, 5),
                            date_to=date(2024, 3, 15), categories=[],
                            rationale="Allegation concerns the Team B group in early March.")
        scope.authorise(conn, sid, "supervisor", "Necessary and proportionate.")
    return world
