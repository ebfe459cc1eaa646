"""Filling the per-process figures (``counts.kept``) before a reviewer asks for them.

The totals, the default queue's order, the filter's choices, the timeline and the case
page's sizes are counted once per state of the store (``counts``); counted on the first
request after an ingest or a scan, that request waits for all of them (seconds at millions
of messages). ``Warmer`` is a thread the served app starts: every few seconds it reads the
store's state (one indexed read per evidence table) and the authorised scopes, and when
either moved it counts each scoped case's figures again, through the very functions the
pages call, so the key (and the value) is theirs. Counts, ids and category names only: no
content is kept, nothing is shown, nothing is written (so nothing is audited).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from sqlalchemy import Connection, Engine, select

from conductlens.review import cases, counts, scope
from conductlens.review.accounts import User
from conductlens.review.queue import QueueFilter
from conductlens.review.queue_session import QueueSession
from conductlens.review.roles import Role
from conductlens.review.scope_review import known_categories
from conductlens.store.tables_review import scopes

log = logging.getLogger(__name__)
# Nobody signs in as this: the warmer calls counting functions only, never a door method.
_WARMER = User(0, "(warm-up)", "warm-up", Role.INVESTIGATOR)


def scoped_cases(conn: Connection) -> list[tuple[int, int]]:
    """(case, scope in force) for every case with an authorised scope."""
    rows = conn.execute(select(scopes.c.case_id, scopes.c.id)
                        .where(scopes.c.status == "authorised").order_by(scopes.c.id))
    return sorted({int(c): int(s) for c, s in rows}.items())


def state(conn: Connection) -> tuple[object, ...]:
    """What the figures depend on: the evidence tables' state and the scopes in force."""
    return (counts.store_state(conn), tuple(scoped_cases(conn)))


def warm_case(engine: Engine, case_id: int) -> None:
    """Count ``case_id``'s figures as its pages would (see the module's docstring)."""
    with engine.connect() as conn:
        sc = scope.current(conn, case_id)
        if sc is None:
            return
        review = QueueSession(engine, _WARMER, case_id)
        review._counts(conn, sc)  # the case page's totals, search's withheld total
        review._timeline_kept(conn, sc)
        review._choices_kept(conn, sc)
        default = QueueFilter()
        review._order(conn, sc, None, default, grouped=True)  # the queue as first opened
        review._order(conn, sc, None, default, grouped=False)  # a finding's neighbours
        review._order(conn, sc, None, replace(default, severity="low"), grouped=False)
        cases.exhibits(conn, case_id)
        cases.conversations(conn, case_id)
        known_categories(conn, case_id)


def warm(engine: Engine) -> int:
    """Warm every scoped case; how many were warmed."""
    with engine.connect() as conn:
        found = scoped_cases(conn)
    for case_id, _ in found:
        warm_case(engine, case_id)
    return len(found)


class Warmer:
    """A daemon thread that warms the figures whenever ``state`` moves (see above)."""

    def __init__(self, engine: Engine, every: float = 5.0) -> None:
        self.engine, self.every = engine, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="conductlens-warm",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        seen: tuple[object, ...] | None = None
        while not self._stop.is_set():
            try:
                with self.engine.connect() as conn:
                    now = state(conn)
                if now != seen:
                    warm(self.engine)
                    seen = now
            except Exception as exc:  # a failed warm-up leaves the pages to count: never fatal
                log.warning("warming the review figures failed: %s", type(exc).__name__)
            self._stop.wait(self.every)
