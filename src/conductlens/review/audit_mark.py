"""The audit chain verified from where it was last found sound (the auditor's page).

A full walk (``audit.verify_chain``) costs what the log holds, and every page view adds a
record to it. The page instead walks only the records after the mark kept in
``audit_verified`` (the last record a walk found sound, and its hash), then moves the mark
on. The mark is trusted only while the log's old records are untouched: triggers on
``audit_events`` (migration 0020) reset it and bump its generation on any UPDATE or DELETE,
so an edit to record 12 sends the next check back to record 1, where the walk names it. The
mark is ignored when those triggers are missing (dropped), when the record it names no
longer has its hash, and is moved only if its generation did not change during the walk.
A log rewritten with every hash recomputed is beyond this, as it is beyond the full walk:
a signed checkpoint (``review.checkpoints``) catches that.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import OperationalError

from conductlens.review import audit
from conductlens.store.tables_review import audit_events, audit_verified

TRIGGERS = {"sqlite": ("audit_events_updated", "audit_events_deleted"),
            "postgresql": ("audit_events_changed",)}


def _triggers_in_place(conn: Connection) -> bool:
    names = TRIGGERS.get(conn.dialect.name, ())
    if not names:
        return False
    quoted = ", ".join(f"'{n}'" for n in names)
    if conn.dialect.name == "sqlite":
        found = conn.scalar(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                 f"AND tbl_name = 'audit_events' AND name IN ({quoted})"))
    else:
        found = conn.scalar(text("SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                                 "to_regclass('audit_events') AND tgenabled <> 'D' "
                                 f"AND tgname IN ({quoted})"))
    return int(found or 0) == len(names)


def _mark(conn: Connection) -> tuple[int, str, int] | None:
    """(last record verified, its hash, generation) when the mark may be trusted."""
    v = audit_verified.c
    row = conn.execute(select(v.through_id, v.through_hash, v.generation)
                       .where(v.id == 1)).first()
    if row is None or not _triggers_in_place(conn):
        return None
    through, digest, generation = int(row[0]), str(row[1]), int(row[2])
    if through and conn.scalar(select(audit_events.c.hash).where(
            audit_events.c.id == through)) != digest:
        return 0, audit.GENESIS, generation
    return through, digest, generation


def verify_recent(engine: Engine) -> audit.VerifyResult:
    """The chain's verdict as ``audit.verify_chain`` gives it, walking only the records
    after the trusted mark (all of them when there is none), and the mark moved on."""
    with engine.connect() as conn:
        audit.require_tables(conn)
        mark = _mark(conn)  # read before the walk: a change during it bumps the generation
        after, digest = (mark[0], mark[1]) if mark else (0, audit.GENESIS)
        result, last_hash = audit.walk(conn, after, digest)
    if mark is not None and result.ok and result.records > mark[0]:
        _move(engine, mark[2], result.records, last_hash)
    return result


def _move(engine: Engine, generation: int, through: int, digest: str) -> None:
    """Keep the new mark unless the log was changed since it was read (best effort: a
    busy store only means the next view walks a little further)."""
    v = audit_verified.c
    try:
        with engine.begin() as conn:
            conn.execute(update(audit_verified).where(
                v.id == 1, v.generation == generation, v.through_id < through).values(
                through_id=through, through_hash=digest, verified_at=datetime.now(UTC)))
    except OperationalError:
        return
