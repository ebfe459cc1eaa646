"""Run the detection policy over a case's messages: the web UI's button and the demo.

Both go through ``conductlens.detect.run.scan_store``, as ``conductlens scan`` does, so every
path writes findings the same way.
"""

from __future__ import annotations

from conductlens.review import audit, cases
from conductlens.store import Store


def record_findings(store: Store, case_id: int, actor: str = "investigator") -> int:
    """Run the baseline policy over the case's messages and store new findings (audited)."""
    from conductlens.detect.run import scan_store

    with store.engine.connect() as conn:
        reference = cases.find_case(conn, case_id).reference
    summary = scan_store(store, case=reference)
    with store.engine.begin() as conn:
        audit.append(conn, audit.AuditEvent(actor, "policy.run", case_id, detail={
            "findings": summary.findings, "policy": summary.policy_version,
            "messages": summary.messages_scanned}))
    return summary.findings
