"""Names shown to a disclosure's recipient: propose (investigators), approve, refuse or
revoke (supervisors, never the proposer). Each is a call into the case's door, which checks
role and team, writes in one transaction and audits; the disclosure tab says what was done
or shows the form again with the reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from conductlens.review.door import CaseDoor
from conductlens.web.deps import CanApproveUnmask, CanRequestUnmask, StoreDep
from conductlens.web.routes._case import act_on_case

router = APIRouter()
Reason = Annotated[str, Form(max_length=5000)]
DONE = {"approve": "approved", "refuse": "refused", "revoke": "revoked"}


@router.post("/cases/{case_id}/recipient-names", response_model=None)
def propose(request: Request, case_id: int, session: CanRequestUnmask, store: StoreDep,
            recipient: Annotated[str, Form(max_length=200)], number: Annotated[int, Form()],
            reason: Reason) -> Response:
    def act(d: CaseDoor) -> str:
        d.propose_recipient_name(recipient, number, reason)
        return (f"Proposed that {recipient.strip()} see Participant {number:02d} by name; "
                "a supervisor on the case team decides.")
    return act_on_case(request, store, session, case_id, tab="disclosure", form="recipient",
                       entered={"recipient": recipient, "number": number, "reason": reason},
                       act=act)


@router.post("/cases/{case_id}/recipient-names/{approval_id}/{verdict}", response_model=None)
def decide(request: Request, case_id: int, approval_id: int, verdict: str,
           session: CanApproveUnmask, store: StoreDep, reason: Reason) -> Response:
    """``verdict`` is approve, refuse or revoke (anything else is refused by the door)."""
    def act(d: CaseDoor) -> str:
        d.decide_recipient_name(approval_id, verdict, reason)
        return f"Name for a recipient (#{approval_id}) {DONE.get(verdict, verdict)}."
    return act_on_case(request, store, session, case_id, tab="disclosure",
                       form=f"recipient-{approval_id}", entered={"reason": reason}, act=act)
