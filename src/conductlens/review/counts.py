"""A case's totals (and other figures without content), counted once per state of the store.

Every case page shows how many messages lie inside and outside the scope and how many
findings are inside; counting them walks the whole case (seconds at millions of messages),
on every page. The evidence tables are append-only (messages, findings, exhibits and their
links to cases are never updated in a way that moves a count, nor deleted), so the totals
change only when one of them gains a row or the scope changes: they are kept per process,
keyed by the scope and the highest id of each of those tables, one indexed read each.
The review queue's order (finding ids, ``queue_session``), its timeline and the filter's
choices are kept the same way. Counts, ids and category names only: no content is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, func, select

from conductlens.store import tables as t

_KEPT: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
MAX_KEPT = 64  # a queue's order at 200,000 findings is 1.6 MB
_LOCK = threading.Lock()
T = TypeVar("T")
_TABLES = (t.messages, t.findings, t.exhibits, t.case_exhibits)


def store_state(conn: Connection) -> tuple[int, ...]:
    """The highest id of each append-only evidence table: it moves when any gains a row."""
    parts = [select(func.coalesce(func.max(x.c.id), 0)).scalar_subquery() for x in _TABLES]
    row = conn.execute(select(*parts)).one()
    return tuple(int(v) for v in row)


def kept(conn: Connection, what: tuple[Hashable, ...], count: Callable[[], T]) -> T:
    """``count()`` for ``what`` (naming the case and scope), reused while the store's
    state is the same. ``count`` must return counts or ids, never content."""
    key = (str(conn.engine.url), *what, store_state(conn))
    with _LOCK:  # routes run on a thread pool
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return cast(T, _KEPT[key])
    value = count()  # outside the lock: two threads may both count, never block each other
    with _LOCK:
        _KEPT[key] = value
        while len(_KEPT) > MAX_KEPT:
            _KEPT.popitem(last=False)
    return value
