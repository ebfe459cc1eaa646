"""The data-protection officer's view of the audit log: filtered and paged in SQL, objects
named as people read them (exhibit references, pseudonyms, links), and who saw what.

The page and the CSV share ``filtered`` so the CSV holds exactly what the page filters.
Paging is by id (a keyset), so a page costs the same however long the log grows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, or_, select

from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events, pseudonyms

PAGE = 100
# Object kinds whose ids open a page of the case they belong to.
LINKS = {"finding": "findings", "conversation": "conversations"}


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the DPO asked for; every field kept in the page's URL."""

    username: str = ""
    action: str = ""
    case_id: int | None = None
    object_kind: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class Shown:
    """One object of a record as read: its words and, where it has a page, a link."""

    label: str
    href: str = ""


def filtered(flt: AuditFilter) -> Select[Any]:
    """Audit records matching ``flt`` (no order, no limit)."""
    e = audit_events.c
    query = select(audit_events)
    if flt.username:
        query = query.where(e.username == flt.username)
    if flt.action:
        query = query.where(e.action == flt.action)
    if flt.case_id is not None:
        query = query.where(e.case_id == flt.case_id)
    if flt.date_from:  # ts is ISO 8601 UTC text: it sorts as it reads
        query = query.where(e.ts >= flt.date_from.isoformat())
    if flt.date_to:
        query = query.where(e.ts < (flt.date_to + timedelta(days=1)).isoformat())
    if flt.object_kind:
        # canonical JSON: '"finding":[' opens the kind's list; an id is matched inside it.
        query = query.where(e.object_ids.contains(f'"{flt.object_kind}":['))
        if flt.object_id is not None:
            query = query.where(e.object_ids.regexp_match(
                f'"{flt.object_kind}":\\[([^\\]]*,)?{int(flt.object_id)}[,\\]]'))
    return query


def page(conn: Connection, flt: AuditFilter, before: int | None = None,
         size: int = PAGE) -> tuple[list[dict[str, Any]], int | None]:
    """The newest ``size`` records of ``flt`` older than id ``before``; and the id to pass
    as ``before`` for the next (older) page, None on the last."""
    query = filtered(flt)
    if before is not None:
        query = query.where(audit_events.c.id < before)
    rows = [dict(r) for r in conn.execute(
        query.order_by(audit_events.c.id.desc()).limit(size + 1)).mappings()]
    more = len(rows) > size
    rows = rows[:size]
    return rows, (int(rows[-1]["id"]) if more and rows else None)


def everything(conn: Connection, flt: AuditFilter) -> Iterator[dict[str, Any]]:
    """Every record of ``flt``, oldest first, streamed (the CSV)."""
    for row in conn.execute(filtered(flt).order_by(audit_events.c.id)).mappings():
        yield dict(row)


def actions(conn: Connection) -> list[str]:
    """The actions that occur in the log (the filter's list), from the action index."""
    return list(conn.scalars(select(audit_events.c.action).distinct().order_by(
        audit_events.c.action)))


def when(ts: str) -> str:
    """A record's time as shown everywhere: to the second, zone named."""
    return ts[:19].replace("T", " ") + " UTC"


def objects(conn: Connection, rows: list[dict[str, Any]]) -> dict[int, list[Shown]]:
    """Each record's objects as words: exhibit references, pseudonyms, links into its
    case; never a real name (the DPO reads who looked, not whom)."""
    parsed = {int(r["id"]): (r["case_id"], json.loads(str(r["object_ids"]) or "{}"))
              for r in rows}
    # The web records an exhibit by its id, the command line's ingest by its reference
    # ("EXH-00003"): the chain is never rewritten, so both are read.
    refs = _exhibit_refs(conn, {int(i) for _, o in parsed.values() for i in o.get("exhibit", [])
                                if _is_id(i)})
    names = _pseudonyms(conn, {(c, int(i)) for c, o in parsed.values()
                               for i in o.get("participant", []) if c is not None})
    shown: dict[int, list[Shown]] = {}
    for rid, (case_id, objs) in parsed.items():
        out: list[Shown] = []
        for kind, ids in sorted(objs.items()):
            out += _shown(kind, list(ids), case_id, refs, names)
        shown[rid] = out
    return shown


def _shown(kind: str, ids: list[Any], case_id: int | None, refs: dict[int, str],
           names: dict[tuple[int, int], str]) -> list[Shown]:
    if len(ids) > 5:  # a queue view names 200 findings: a count, then the first few
        return [Shown(f"{len(ids)} {kind}s:")] + _shown(kind, ids[:3], case_id, refs, names) \
            + [Shown("…")]
    out = []
    for i in ids:
        if kind == "exhibit":
            out.append(Shown(refs.get(int(i), f"exhibit {i}") if _is_id(i) else str(i)))
        elif kind == "participant" and case_id is not None:
            out.append(Shown(names.get((case_id, int(i)), "a participant")))
        elif kind in LINKS and case_id is not None:
            out.append(Shown(f"{kind} {i}", f"/cases/{case_id}/{LINKS[kind]}/{i}"))
        else:
            out.append(Shown(f"{kind} {i}"))
    return out


def _is_id(value: object) -> bool:
    """A row id (``3``, ``"3"``) rather than a reference such as ``"EXH-00003"``."""
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def _exhibit_refs(conn: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(r) for i, r in conn.execute(
        select(t.exhibits.c.id, t.exhibits.c.reference).where(t.exhibits.c.id.in_(ids)))}


def _pseudonyms(conn: Connection, keys: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    if not keys:
        return {}
    p = pseudonyms.c
    wanted = [and_(p.case_id == c, p.identity == f"participant:{i}") for c, i in keys]
    rows = conn.execute(select(p.case_id, p.identity, p.number).where(or_(*wanted)))
    return {(int(c), int(str(ident).split(":")[1])): f"Participant {int(n):02d}"
            for c, ident, n in rows}


def who_saw_what(conn: Connection, flt: AuditFilter) -> list[dict[str, Any]]:
    """Per person and case, what they viewed under ``flt``: views, distinct objects of
    each kind, first and last time. Only ``view.*``, ``search`` and ``export`` count."""
    e = audit_events.c
    query = filtered(flt).where(
        e.action.like("view.%") | e.action.in_(["search", "export"])).order_by(e.id)
    seen: dict[tuple[str, int | None], dict[str, Any]] = {}
    for row in conn.execute(query).mappings():
        key = (str(row["username"]), row["case_id"])
        entry = seen.setdefault(key, {"username": key[0], "case_id": key[1], "views": 0,
                                      "objects": {}, "first": row["ts"], "last": row["ts"]})
        entry["views"] += 1
        entry["last"] = row["ts"]
        for kind, ids in json.loads(str(row["object_ids"]) or "{}").items():
            entry["objects"].setdefault(kind, set()).update(ids)
    return [dict(v, objects={k: len(s) for k, s in sorted(v["objects"].items())})
            for v in sorted(seen.values(), key=lambda v: (v["case_id"] or 0, v["username"]))]
