"""Run the detection policy over a case's messages and store the findings.

``record_findings`` is the hook the web UI's "Run the policy" button and the demo call.
Replace its body with the ``conductlens scan`` library call once that exists, so that every
path writes findings the same way.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert, select

from conductlens.review import audit, cases
from conductlens.store import Store
from conductlens.store import tables as t


def record_findings(store: Store, case_id: int, actor: str = "investigator") -> int:
    """Run the baseline policy over the case's messages and store new findings (audited)."""
    from conductlens.detect.policy import load_policy
    from conductlens.detect.scan import scan_batch

    policy = load_policy()
    with store.engine.begin() as conn:
        ids = cases.exhibit_ids(conn, case_id)
        rows = conn.execute(select(t.messages.c.id, t.messages.c.exhibit_id, t.messages.c.text)
                            .where(t.messages.c.exhibit_id.in_(ids))).all()
        done = set(conn.scalars(select(t.findings.c.message_id).where(
            t.findings.c.exhibit_id.in_(ids), t.findings.c.policy_version == policy.version)))
        rows = [r for r in rows if r[0] not in done]  # re-running adds no duplicates
        exhibit_of = {str(r[0]): int(r[1]) for r in rows}
        found = scan_batch(policy, [(str(r[0]), str(r[2])) for r in rows])
        now = datetime.now(UTC)
        for f in found:
            conn.execute(insert(t.findings).values(
                message_id=int(f.message_id), exhibit_id=exhibit_of[f.message_id],
                category=f.category, standards=json.dumps(list(f.standards)),
                severity=f.severity.label, score=f.score, detector=f.detector,
                spans=json.dumps([[a, b] for a, b in f.spans]),
                explanation=f.explanation.render(), policy_version=f.policy_version,
                created_at=now))
        audit.append(conn, audit.AuditEvent(actor, "policy.run", case_id,
                                            detail={"findings": len(found),
                                                    "policy": policy.version}))
    return len(found)
