"""Names shown to a disclosure's recipient: propose (investigators), approve, refuse or
revoke (supervisors, never the proposer). Each is a call into the case's door, which checks
role and team, writes in one transaction and audits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from conductlens.web.deps import CanApproveUnmask, CanRequestUnmask, StoreDep
from conductlens.web.routes._case import door

router = APIRouter()
Reason = Annotated[str, Form(max_length=5000)]


@router.post("/cases/{case_id}/recipient-names")
def propose(case_id: int, session: CanRequestUnmask, store: StoreDep,
            recipient: Annotated[str, Form(max_length=200)], number: Annotated[int, Form()],
            reason: Reason) -> Response:
    door(store, session, case_id).propose_recipient_name(recipient, number, reason)
    return RedirectResponse(f"/cases/{case_id}#recipients", status_code=303)


@router.post("/cases/{case_id}/recipient-names/{approval_id}/{verdict}")
def decide(case_id: int, approval_id: int, verdict: str, session: CanApproveUnmask,
           store: StoreDep, reason: Reason) -> Response:
    """``verdict`` is approve, refuse or revoke (anything else is refused by the door)."""
    door(store, session, case_id).decide_recipient_name(approval_id, verdict, reason)
    return RedirectResponse(f"/cases/{case_id}#recipients", status_code=303)
