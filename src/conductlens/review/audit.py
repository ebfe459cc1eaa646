"""The append-only, hash-chained audit log.

Each record's hash is sha256 over the previous record's hash and the canonical JSON of its
own fields (id included), so an edit, a deletion or a reordering breaks the chain at a
point ``verify_chain`` names. ``audit_head`` keeps the last id and hash, so cutting records
off the end is detected too, unless the head is moved as well: only a signed checkpoint
(``review.checkpoints``) kept outside the store catches that, or a log wiped and restarted.

Appends are serialised: on PostgreSQL by a transaction-level advisory lock, on SQLite by
taking the write lock (a no-op update of ``audit_head``) before the head is read, so two
writers never compute the same next id. ``record`` retries a transaction that lost a race.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from conductlens.errors import ConductLensError
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events, audit_head

GENESIS = "0" * 64
_PG_LOCK_KEY = 7_320_114  # arbitrary, constant: "one audit writer at a time"
RETRIES = 8


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One thing that happened, as recorded."""

    username: str
    action: str
    case_id: int | None = None
    object_ids: Mapping[str, Sequence[int | str]] | None = None
    justification: str = ""
    detail: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    records: int
    first_bad_id: int | None = None
    reason: str = ""


def canonical(value: object) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(prev_hash: str, fields: Mapping[str, object]) -> str:
    payload = prev_hash + "\n" + canonical(dict(fields))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _fields(row: Mapping[str, Any]) -> dict[str, object]:
    return {
        "id": row["id"], "ts": row["ts"], "username": row["username"],
        "action": row["action"], "case_id": row["case_id"],
        "object_ids": row["object_ids"], "justification": row["justification"],
        "detail": row["detail"],
    }


def lock(conn: Connection) -> None:
    """Hold the one-writer lock until the caller's transaction ends (also used by writers
    whose read-then-write must not interleave, e.g. sign-in failure counts)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    else:
        # A write statement makes SQLite take its write lock now (waiting for the busy
        # timeout), so the head read below is the latest and no one else can move it.
        conn.execute(update(audit_head).where(audit_head.c.id == 1)
                     .values(last_id=audit_head.c.last_id))


def _head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(select(audit_head.c.last_id, audit_head.c.last_hash)).first()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def append(conn: Connection, event: AuditEvent, now: datetime | None = None) -> int:
    """Append ``event`` inside the caller's transaction; returns its id."""
    lock(conn)
    last_id, last_hash = _head(conn)
    row: dict[str, Any] = {
        "id": last_id + 1,
        "ts": (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds"),
        "username": event.username,
        "action": event.action,
        "case_id": event.case_id,
        "object_ids": canonical(dict(event.object_ids or {})),
        "justification": event.justification,
        "detail": canonical(dict(event.detail or {})),
    }
    digest = record_hash(last_hash, _fields(row))
    conn.execute(insert(audit_events).values(**row, prev_hash=last_hash, hash=digest))
    if last_id == 0:
        conn.execute(insert(audit_head).values(id=1, last_id=row["id"], last_hash=digest))
    else:
        conn.execute(update(audit_head).values(last_id=row["id"], last_hash=digest))
    return int(row["id"])


def record(engine: Engine, event: AuditEvent, now: datetime | None = None) -> int:
    """Append ``event`` in a transaction of its own, retrying (never dropping) one that lost
    the race for the write lock: SQLite's busy timeout ran out, or PostgreSQL chose it as a
    deadlock victim."""
    for attempt in range(RETRIES):
        try:
            with engine.begin() as conn:
                return append(conn, event, now)
        except (IntegrityError, OperationalError) as exc:
            if attempt == RETRIES - 1 or not _lost_race(exc):
                raise
    raise AssertionError("unreachable")


def _lost_race(exc: IntegrityError | OperationalError) -> bool:
    message = str(exc.orig).lower()
    return "locked" in message or "busy" in message or "unique" in message \
        or "duplicate" in message or "deadlock" in message


def _rows(conn: Connection, after: int = 0) -> Iterator[Mapping[str, Any]]:
    result = conn.execute(select(audit_events).where(audit_events.c.id > after)
                          .order_by(audit_events.c.id))
    for row in result.mappings():
        yield dict(row)


def require_tables(conn: Connection) -> None:
    """A one-line ``ConductLensError`` when the audit tables are gone (dropped)."""
    missing = [n for n in ("audit_events", "audit_head") if not inspect(conn).has_table(n)]
    if missing:
        raise ConductLensError(f"the store has no {' or '.join(missing)} table: "
                               "the audit log was dropped or this is not a ConductLens store")


def evidence_held(conn: Connection) -> int:
    """How many exhibits and messages the store holds (evidence that must have a log)."""
    held = 0
    for table in (t.exhibits, t.messages):
        held += int(conn.scalar(select(func.count()).select_from(table)) or 0)
    return held


def verify_chain(conn: Connection) -> VerifyResult:
    """Walk the whole log; the first record that breaks the chain, and why. An empty log
    in a store that holds evidence fails too: the log was wiped."""
    require_tables(conn)
    return walk(conn, 0, GENESIS)[0]


def walk(conn: Connection, after: int, prev_hash: str) -> tuple[VerifyResult, str]:
    """Check the records after id ``after`` (whose hash is ``prev_hash``), then the head;
    also the last hash walked."""
    expected_id, count = after + 1, after
    for row in _rows(conn, after):
        rid = int(row["id"])
        if rid != expected_id:
            return VerifyResult(False, count, rid, f"record {expected_id} is missing"), ""
        if row["prev_hash"] != prev_hash:
            reason = "does not follow the record before it (deleted, inserted or reordered)"
            return VerifyResult(False, count, rid, reason), ""
        if record_hash(prev_hash, _fields(row)) != row["hash"]:
            return VerifyResult(False, count, rid,
                                "its content does not match its hash (edited)"), ""
        prev_hash, expected_id, count = row["hash"], expected_id + 1, count + 1
    return _check_head(conn, count, prev_hash), prev_hash


def _check_head(conn: Connection, count: int, last_hash: str) -> VerifyResult:
    head_id, head_hash = _head(conn)
    if head_id != count or head_hash != last_hash:
        reason = f"the log ends at record {count} but the chain head says {head_id} (truncated)"
        return VerifyResult(False, count, count + 1 if head_id > count else head_id, reason)
    if count == 0 and (held := evidence_held(conn)):
        reason = f"the store holds {held} exhibits and messages but no audit records (wiped)"
        return VerifyResult(False, 0, None, reason)
    return VerifyResult(True, count)


def export_rows(conn: Connection, **filters: object) -> list[dict[str, Any]]:
    """Audit records, oldest first, filtered by equality on the given columns."""
    query = select(audit_events).order_by(audit_events.c.id)
    for name, value in filters.items():
        if value not in (None, ""):
            query = query.where(audit_events.c[name] == value)
    return [dict(row) for row in conn.execute(query).mappings()]
