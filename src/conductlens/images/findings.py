"""Image findings go into the store's ``findings`` table like every other finding, on the
message that carried the picture, so the queue, the scope and ``findings --json`` see them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from conductlens.store import tables as t

IMAGE_POLICY = "images@1"  # the version image findings carry (text scans never skip for it)
RESPECT = ("Authority, respect and courtesy", "Discreditable conduct")
STANDARDS = {
    "image-known": RESPECT,
    "image-sexual": ("Discreditable conduct",),
    "image-sealed": ("Discreditable conduct",),
}


@dataclass(frozen=True, slots=True)
class ImageFinding:
    message_id: int
    category: str
    severity: str
    score: float
    detector: str
    explanation: str
    standards: tuple[str, ...] = ()
    policy_version: str = IMAGE_POLICY


def store_findings(conn: Connection, found: Sequence[ImageFinding]) -> int:
    """Insert the findings not already held (same message, category, detector, version)."""
    if not found:
        return 0
    f = t.findings
    mids = {x.message_id for x in found}
    held = {(int(a), str(b), str(c), str(d)) for a, b, c, d in conn.execute(
        select(f.c.message_id, f.c.category, f.c.detector, f.c.policy_version)
        .where(f.c.message_id.in_(mids)))}
    exhibit_of = {int(a): int(b) for a, b in conn.execute(
        select(t.messages.c.id, t.messages.c.exhibit_id).where(t.messages.c.id.in_(mids)))}
    now = datetime.now(UTC)
    rows, seen = [], set(held)
    for x in found:
        key = (x.message_id, x.category, x.detector, x.policy_version)
        if key in seen:
            continue
        seen.add(key)
        rows.append({
            "message_id": x.message_id, "exhibit_id": exhibit_of[x.message_id],
            "category": x.category, "severity": x.severity, "score": x.score,
            "standards": json.dumps(list(x.standards or STANDARDS.get(x.category, RESPECT))),
            "detector": x.detector, "spans": "[]", "explanation": x.explanation,
            "policy_version": x.policy_version, "created_at": now})
    if rows:
        conn.execute(insert(f), rows)
    return len(rows)
