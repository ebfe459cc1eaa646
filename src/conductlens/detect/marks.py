"""How far scans have got, exhibit by exhibit (``scan_runs`` with ``scan_scopes``).

A run records the exhibits it reads (its scope) and, for each, how far that exhibit had been
scanned when the run began; the run's ``last_message_id`` then says that every message of
those exhibits up to that id has been scanned with its policy version. An exhibit's mark is
the highest of the marks of the runs that had it in scope. So an exhibit linked into a case
after the case was scanned has no mark from that case's runs, and the next run scans it
however low its message ids are; an exhibit scanned in one case is not scanned again in
another, and a run that stopped is continued from its mark.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from conductlens.store import tables as t
from conductlens.store.groups import exhibits_of


def scope_of(conn: Connection, case_id: int | None) -> list[int]:
    """The exhibits a run reads: the case's (linked or filed under it), else every one."""
    if case_id is None:
        return list(conn.scalars(select(t.exhibits.c.id).order_by(t.exhibits.c.id)))
    return sorted(int(e) for e in conn.scalars(exhibits_of(case_id)))


def _marks(version: str) -> Any:
    """Per exhibit, the highest mark of this version's runs that had it in scope."""
    runs, scopes = t.scan_runs, t.scan_scopes
    return (select(scopes.c.exhibit_id, func.max(runs.c.last_message_id).label("mark"))
            .join(runs, runs.c.id == scopes.c.run_id)
            .where(runs.c.policy_version == version)
            .group_by(scopes.c.exhibit_id).subquery())


def marks(conn: Connection, version: str, exhibit_ids: list[int]) -> dict[int, int]:
    """How far each exhibit has been scanned with ``version`` (0: not at all)."""
    found = _marks(version)
    held: dict[int, int] = {int(e): int(m or 0) for e, m in conn.execute(
        select(found.c.exhibit_id, found.c.mark))}
    return {e: held.get(e, 0) for e in exhibit_ids}


def _scannable(query: Select[Any], version: str) -> Select[Any]:
    """Only what a scan reads: not system lines or empty texts, and not a message that
    already has findings of this version (a run never stores a finding twice)."""
    m = t.messages
    done = select(t.findings.c.message_id).where(t.findings.c.policy_version == version)
    return query.where(m.c.kind != "system", m.c.text != "", m.c.id.not_in(done))


def in_run(query: Select[Any], run_id: int, version: str, whole_store: bool = False
           ) -> Select[Any]:
    """``query`` over messages narrowed to what run ``run_id`` has left to scan: its scope's
    messages past each exhibit's mark when it began. A case's run joins its exhibits (it
    reads only their messages); a run over the whole store checks each message against its
    scope instead, so that the national backlog streams in id order, with nothing sorted."""
    m, s = t.messages, t.scan_scopes
    if whole_store:
        left = (select(s.c.id).where(s.c.run_id == run_id, s.c.exhibit_id == m.c.exhibit_id,
                                     s.c.scanned_to < m.c.id).exists())
        floor = select(func.min(s.c.scanned_to)).where(s.c.run_id == run_id).scalar_subquery()
        return _scannable(query.where(m.c.id > func.coalesce(floor, 0), left), version)
    joined = query.join(s, and_(s.c.exhibit_id == m.c.exhibit_id, s.c.run_id == run_id))
    return _scannable(joined.where(m.c.id > s.c.scanned_to), version)


def unscanned(conn: Connection, version: str, case_id: int) -> dict[int, int]:
    """Per exhibit of the case, how many of its messages no run of ``version`` has scanned
    yet (exhibits with none left are left out): new evidence the case page points out."""
    m = t.messages
    found = _marks(version)
    query = (select(m.c.exhibit_id, func.count())
             .outerjoin(found, found.c.exhibit_id == m.c.exhibit_id)
             .where(m.c.exhibit_id.in_(exhibits_of(case_id)),
                    m.c.id > func.coalesce(found.c.mark, 0))
             .group_by(m.c.exhibit_id))
    return {int(e): int(n) for e, n in conn.execute(_scannable(query, version)).all()}


def baseline_version() -> str:
    """The national baseline's version, the one a case's scan runs (read again only when
    its file changes: loading the policy takes a quarter of a second, too long for a page)."""
    from conductlens.detect.policy import BASELINE

    return _version(str(BASELINE), BASELINE.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _version(path: str, _mtime_ns: int) -> str:
    from conductlens.detect.policy import load_policy

    return load_policy(path).version
