"""Read-side queries used by the CLI listings and exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from conductlens.store import tables as t
from conductlens.store.groups import also_in, cases_of, exhibits_of
from conductlens.store.search import search_ids

m, c, p, e = t.messages, t.conversations, t.participants, t.exhibits


def list_exhibits(conn: Connection) -> list[dict[str, Any]]:
    """Every exhibit with its message count, oldest first."""
    counts = (
        select(m.c.exhibit_id, func.count().label("messages"))
        .group_by(m.c.exhibit_id)
        .subquery()
    )
    query = (
        select(e, t.cases.c.reference.label("case"), counts.c.messages)
        .outerjoin(t.cases, t.cases.c.id == e.c.case_id)
        .outerjoin(counts, counts.c.exhibit_id == e.c.id)
        .order_by(e.c.id)
    )
    rows = [dict(row) for row in conn.execute(query).mappings()]
    for row in rows:
        row["cases"] = cases_of(conn, row["id"])
        row["also_in"] = also_in(conn, row["id"])
        row["case"] = ", ".join(row["cases"]) or row["case"]
    return rows


def format_timestamp(
    local: datetime | None, utc: datetime | None, zone: ZoneInfo | None
) -> str | None:
    """ISO 8601: in ``zone`` when given; offset-aware when the source had a zone; else local."""
    if utc is not None:
        aware = utc if utc.tzinfo else utc.replace(tzinfo=UTC)
        return aware.astimezone(zone).isoformat() if zone else aware.isoformat()
    return local.isoformat() if local is not None else None


def message_query(case: str | None, query: str | None, dialect: str) -> Any:
    """The export records' query (content: only ``CustodianSession`` runs it)."""
    sender = p.alias("sender")
    q = (
        select(
            m, e.c.sha256.label("exhibit_sha256"), e.c.reference.label("exhibit"),
            e.c.timezone.label("exhibit_zone"),
            c.c.title.label("conversation_title"), c.c.key.label("conversation_key"),
            sender.c.name.label("sender_name"), sender.c.key.label("sender_key"),
            sender.c.phone.label("sender_phone"),
        )
        .join(e, e.c.id == m.c.exhibit_id)
        .join(c, c.c.id == m.c.conversation_id)
        .outerjoin(sender, sender.c.id == m.c.sender_id)
        .order_by(m.c.exhibit_id, m.c.seq)
    )
    if case:  # every exhibit of the case, those shared with an earlier case included
        case_id = select(t.cases.c.id).where(t.cases.c.reference == case).scalar_subquery()
        q = q.where(e.c.id.in_(exhibits_of(case_id)))
    if query is not None:
        ids = search_ids(dialect, query)
        q = q.where(m.c.id.in_(ids)) if ids is not None else q.where(m.c.id < 0)
    return q


def _attachments(conn: Connection, message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if not message_ids:
        return found
    rows = conn.execute(select(t.attachments).where(t.attachments.c.message_id.in_(message_ids)))
    for row in rows.mappings():
        found.setdefault(row["message_id"], []).append(
            {k: row[k] for k in ("file_name", "media_type", "kind", "size", "sha256", "omitted")}
        )
    return found


def iter_messages(
    conn: Connection,
    *,
    case: str | None = None,
    query: str | None = None,
    zone: ZoneInfo | None = None,
    batch: int = 2000,
) -> Iterator[dict[str, Any]]:
    """Messages in source order as export records (the ``export-messages`` contract).

    Content: called through ``review.custodian.CustodianSession``, which records first."""
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(
        message_query(case, query, conn.dialect.name)
    )
    for part in result.mappings().partitions(batch):
        atts = _attachments(conn, [row["id"] for row in part])
        for row in part:
            yield _record(row, atts.get(row["id"], []), zone)


def _zone(row: Any) -> ZoneInfo | None:
    return ZoneInfo(row["exhibit_zone"]) if row["exhibit_zone"] else None


def _source(row: Any) -> dict[str, Any]:
    keys = ("path", "line", "line_end", "offset", "table", "row", "pointer")
    values = {k: row[f"src_{k}"] for k in keys}
    return {k: v for k, v in values.items() if v not in (None, "")} | {"exhibit": row["exhibit"]}


def _record(row: Any, atts: list[dict[str, Any]], zone: ZoneInfo | None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "exhibit_sha256": row["exhibit_sha256"],
        "conversation": row["conversation_title"] or row["conversation_key"],
        "timestamp": format_timestamp(row["ts_local"], row["ts_utc"], zone or _zone(row)),
        "sender": row["sender_name"] if row["sender_name"] is not None else row["sender_key"],
        "sender_phone": row["sender_phone"],
        "kind": row["kind"],
        "text": row["text"],
        "edited": bool(row["edited"]),
        "forwarded": bool(row["forwarded"]),
        "reply_to": row["reply_to_id"],
        "attachment": atts[0] if len(atts) == 1 else (atts or None),
        "source": _source(row),
    }


def dumps(record: dict[str, Any]) -> str:
    """One JSON line, UTF-8 kept as is (no \\u escapes)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
