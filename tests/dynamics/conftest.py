"""A small shift group as a WhatsApp (Android) text export, with joins, leaves and responses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from conductlens.dynamics.analysis import store_texts
from conductlens.dynamics.flow import Flow, load_flow
from conductlens.dynamics.membership import Roster, build_roster
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store

SHIFT = """\
02/03/2026, 07:00 - Sgt Rachel Hughes created group "Team 3 Lates"
02/03/2026, 07:00 - Sgt Rachel Hughes added PC Tom Reid, PC Amy Shah and You
02/03/2026, 07:01 - Sgt Rachel Hughes added PC Ben Cole and PC Dan Wood
02/03/2026, 07:05 - Sgt Rachel Hughes: Morning all, briefing at 07:30
02/03/2026, 07:06 - PC Dan Wood: on my way
02/03/2026, 07:07 - Liam Corbett: Same
03/03/2026, 22:00 - PC Tom Reid: Another car full of them doing 50 through town, stop the lot
03/03/2026, 22:01 - PC Amy Shah: 😂😂
03/03/2026, 22:02 - PC Dan Wood: haha spot on
03/03/2026, 22:04 - PC Ben Cole: Not funny mate, delete that
03/03/2026, 22:05 - PC Tom Reid: lighten up
03/03/2026, 22:06 - Sgt Rachel Hughes: Who has the keys for car 3?
03/03/2026, 22:30 - PC Ben Cole left
03/03/2026, 22:40 - Sgt Rachel Hughes added PC Zoe King
03/03/2026, 22:41 - PC Zoe King: evening all
04/03/2026, 09:00 - Liam Corbett: Thought about that message last night. Not acceptable, I'm\
 reporting it
05/03/2026, 10:00 - PC Amy Shah left
05/03/2026, 10:01 - PC Tom Reid: quiet today
"""


@pytest.fixture
def shift_store(tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "WhatsApp Chat with Team 3 Lates.txt"
    path.write_text(SHIFT, encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp_path / 'shift.db'}", tmp_path / "exhibits")
    ingest_path(store=store, path=path, case=None, fmt=None, timezone="Europe/London",
                locale=None)
    yield store


@pytest.fixture
def conn(shift_store: Store) -> Iterator[Connection]:
    with shift_store.engine.connect() as c:
        yield c


@pytest.fixture
def flow(conn: Connection) -> Flow:
    return load_flow(conn, 1)


@pytest.fixture
def roster(flow: Flow) -> Roster:
    return build_roster(flow)


@pytest.fixture
def shift_text() -> str:
    return SHIFT


@pytest.fixture
def post_id(conn: Connection, flow: Flow) -> Callable[[str], int]:
    """The id of the message whose text starts with the given words."""
    texts = store_texts(conn)([p.id for p in flow.posts])

    def find(start: str) -> int:
        return next(i for i, t in texts.items() if t.startswith(start))
    return find
