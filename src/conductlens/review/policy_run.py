"""Run the detection policy over a case's messages: the web's scan job and the demo.

Both go through ``conductlens.detect.run.scan_store``, as ``conductlens scan`` does, so every
path writes findings the same way: batch by batch, each batch committed with how far the run
got, so a run that stops keeps what it did and the next continues from there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from conductlens.review import audit, cases
from conductlens.store import Store

if TYPE_CHECKING:
    from conductlens.detect.run import ScanSummary


def scan_case(store: Store, case_id: int, actor: str = "investigator",
              progress: Callable[[int, int], None] | None = None) -> ScanSummary:
    """Run the baseline policy over the case's messages not yet scanned with it, store the
    new findings and audit the run; ``progress(done, total)`` hears each committed batch."""
    from conductlens.detect.run import scan_store

    with store.engine.connect() as conn:
        reference = cases.find_case(conn, case_id).reference
    summary = scan_store(store, case=reference, progress=progress)
    with store.engine.begin() as conn:
        audit.append(conn, audit.AuditEvent(actor, "policy.run", case_id, detail={
            "findings": summary.findings, "policy": summary.policy_version,
            "messages": summary.messages_scanned}))
    return summary


def record_findings(store: Store, case_id: int, actor: str = "investigator") -> int:
    """Run the baseline policy over the case's messages and store new findings (audited);
    returns how many findings it stored."""
    return scan_case(store, case_id, actor).findings
