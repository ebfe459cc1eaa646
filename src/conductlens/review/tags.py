"""Tags on findings: compliant, non-compliant and questionable everywhere, plus the force's own.

A tag carries the reviewer's comment. Removing a tag keeps its row (who removed it, when),
so the record of what a finding was tagged and why survives. Only ``CaseDoor`` calls the
writers here, with the scope checked and the audit event written in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, exists, insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit
from conductlens.review._shaping import local_now
from conductlens.store import tables as t
from conductlens.store.tables_review import finding_tags, force_tags

STANDARD_TAGS = ("compliant", "non-compliant", "questionable")
_NAME = re.compile(r"[a-z0-9][a-z0-9 '-]{0,38}[a-z0-9]")


@dataclass(frozen=True, slots=True)
class FindingTag:
    """A tag in force on a finding, with who put it there and why."""

    finding_id: int
    tag: str
    comment: str
    username: str
    created_at: datetime


def normal_name(name: str) -> str:
    """A tag name as stored: lower case, single spaces, 2 to 40 letters, digits, spaces,
    hyphens or apostrophes (anything else is refused, never silently changed)."""
    shown = " ".join(name.split()).casefold()
    if not _NAME.fullmatch(shown):
        raise ConductLensError("a tag name is 2 to 40 letters, digits, spaces or hyphens")
    return shown


def known(conn: Connection) -> list[str]:
    """Every tag a reviewer may choose: the standard three, then the force's, by name."""
    own = conn.scalars(select(force_tags.c.name).order_by(force_tags.c.name))
    return [*STANDARD_TAGS, *(n for n in own if n not in STANDARD_TAGS)]


def define(conn: Connection, name: str, actor: str) -> str:
    """Add ``name`` to the force's tags (audited); refuses a name already offered."""
    tag = normal_name(name)
    if tag in known(conn):
        raise ConductLensError(f"the tag {tag!r} already exists")
    conn.execute(insert(force_tags).values(name=tag, created_by=actor, created_at=local_now()))
    audit.append(conn, audit.AuditEvent(actor, "tag.define", detail={"tag": tag}))
    return tag


def require_known(conn: Connection, tag: str) -> str:
    shown = " ".join(tag.split()).casefold()
    if shown not in known(conn):
        raise ConductLensError(f"unknown tag {tag.strip()[:40]!r}")
    return shown


def add(conn: Connection, case_id: int, finding_ids: Iterable[int], tag: str, comment: str,
        actor: str) -> None:
    """Put ``tag`` on each finding (the caller has checked each is inside the scope); a
    finding that has it already gets the new comment as a further row."""
    now = local_now()
    rows = [{"case_id": case_id, "finding_id": fid, "tag": tag,
             "comment": comment.strip() or None, "username": actor, "created_at": now}
            for fid in finding_ids]
    if rows:
        conn.execute(insert(finding_tags), rows)


def remove(conn: Connection, case_id: int, finding_id: int, tag: str, actor: str) -> int:
    """Take ``tag`` off a finding; how many rows it ended (0: it was not there)."""
    result = conn.execute(update(finding_tags).where(
        finding_tags.c.case_id == case_id, finding_tags.c.finding_id == finding_id,
        finding_tags.c.tag == tag, finding_tags.c.removed_at.is_(None))
        .values(removed_by=actor, removed_at=local_now()))
    return int(result.rowcount or 0)


def in_force(conn: Connection, case_id: int, finding_ids: Iterable[int]
             ) -> dict[int, list[FindingTag]]:
    """The tags in force on each of ``finding_ids`` (oldest first)."""
    ids = sorted(set(finding_ids))
    out: dict[int, list[FindingTag]] = {}
    if not ids:
        return out
    c = finding_tags.c
    rows = conn.execute(select(c.finding_id, c.tag, c.comment, c.username, c.created_at)
                        .where(c.case_id == case_id, c.finding_id.in_(ids),
                               c.removed_at.is_(None)).order_by(c.id))
    for fid, tag, comment, who, when in rows:
        out.setdefault(int(fid), []).append(FindingTag(int(fid), str(tag), str(comment or ""),
                                                       str(who), when))
    return out


def tagged(case_id: int, tag: str) -> ColumnElement[bool]:
    """A queue condition: the finding carries ``tag`` now."""
    c = finding_tags.c
    return exists().where(c.case_id == case_id, c.finding_id == t.findings.c.id,
                          c.tag == tag, c.removed_at.is_(None))
