"""Scope: propose (investigator), authorise or refuse (supervisor), through the door.

A proposal the door refuses (a subject who is not the case's, an unknown category, a date
range that ends before it starts...) is shown again on the scope tab with the reason next
to the form, the entered values kept; so is a decision refused (the proposer deciding their
own scope, no reasons given)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from conductlens.review.accounts import WebSession
from conductlens.review.door import CaseDoor
from conductlens.store import Store
from conductlens.web.deps import CanAuthorise, CanPropose, StoreDep
from conductlens.web.routes._case import act_on_case

router = APIRouter()
Reason = Annotated[str, Form(max_length=5000)]


@router.post("/cases/{case_id}/scopes", response_model=None)
def propose(
    request: Request, case_id: int, session: CanPropose, store: StoreDep, rationale: Reason,
    date_from: Annotated[date, Form()], date_to: Annotated[date, Form()],
    conversations: Annotated[list[int], Form()],
    subjects: Annotated[list[int] | None, Form()] = None,
    categories: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    chosen = [c.strip() for c in categories.split(",") if c.strip()]
    entered = {"rationale": rationale, "date_from": date_from, "date_to": date_to,
               "conversations": conversations, "subjects": subjects or [],
               "categories": categories}

    def act(d: CaseDoor) -> str:
        sid = d.propose_scope(subjects=subjects or [], conversations=conversations,
                              date_from=date_from, date_to=date_to, categories=chosen,
                              rationale=rationale)
        return (f"Scope #{sid} proposed ({date_from:%d %b %Y} to {date_to:%d %b %Y}, "
                f"{len(conversations)} conversation{'' if len(conversations) == 1 else 's'});"
                " a supervisor on the case team decides it.")
    return act_on_case(request, store, session, case_id, tab="scope", form="scope",
                       entered=entered, act=act)


def _decide(request: Request, case_id: int, scope_id: int, session: WebSession,
            store: Store, authorise: bool, reason: str) -> Response:
    def act(d: CaseDoor) -> str:
        d.decide_scope(scope_id, authorise, reason)
        return f"Scope #{scope_id} {'authorised' if authorise else 'refused'}."
    return act_on_case(request, store, session, case_id, tab="scope",
                       form=f"decide-{scope_id}", entered={"reason": reason}, act=act)


@router.post("/cases/{case_id}/scopes/{scope_id}/authorise", response_model=None)
def authorise(request: Request, case_id: int, scope_id: int, session: CanAuthorise,
              store: StoreDep, reason: Reason) -> Response:
    return _decide(request, case_id, scope_id, session, store, True, reason)


@router.post("/cases/{case_id}/scopes/{scope_id}/refuse", response_model=None)
def refuse(request: Request, case_id: int, scope_id: int, session: CanAuthorise,
           store: StoreDep, reason: Reason) -> Response:
    return _decide(request, case_id, scope_id, session, store, False, reason)
