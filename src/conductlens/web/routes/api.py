"""The JSON API: the same operations as the pages, behind the same checks.

Authentication: ``POST /api/login`` sets the same HttpOnly session cookie as the login page
and returns the session's CSRF token; every unsafe request must send it as ``X-CSRF-Token``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from conductlens.errors import ConductLensError
from conductlens.review import accounts, audit, teams
from conductlens.review.access import ShownFinding, ShownMessage
from conductlens.review.cases import list_cases
from conductlens.review.conversation import MAX_PAGE, PAGE, Place
from conductlens.review.door import CaseDoor
from conductlens.review.searching import SearchFilter
from conductlens.web.deps import (
    CanApproveUnmask,
    CanAuthorise,
    CanDecide,
    CanLink,
    CanPropose,
    CanRead,
    CanReadAudit,
    CanRequestUnmask,
    CanViewCases,
    CurrentSession,
    SettingsDep,
    StoreDep,
)
from conductlens.web.routes._case import case_header, door
from conductlens.web.routes.auth import client_address, set_session_cookie

router = APIRouter(prefix="/api", tags=["api"])


class Login(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class SessionOut(BaseModel):
    username: str
    role: str
    csrf: str


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    sender: str
    sender_kind: str
    when: datetime | None
    text: str
    flagged: bool
    exhibit: str
    source: str


class FindingOut(BaseModel):
    id: int
    category: str
    severity: str
    score: float
    standards: list[str]
    explanation: str
    decision: str | None
    message: MessageOut


class Decision(BaseModel):
    decision: str = Field(max_length=16)
    note: str = Field(default="", max_length=2000)


class Proposal(BaseModel):
    subjects: list[int] = []
    conversations: list[int]
    date_from: date
    date_to: date
    categories: list[str] = []
    rationale: str = Field(max_length=5000)


class Reason(BaseModel):
    reason: str = Field(max_length=5000)


class UnmaskAsk(BaseModel):
    number: int
    reason: str = Field(max_length=5000)


class Search(BaseModel):
    q: str = Field(default="", max_length=200)
    page: int = Field(default=1, ge=1)
    # As the search page's URL has them: category, severity, sender, conversation,
    # day_from, day_to (YYYY-MM-DD).
    filters: dict[str, str] = Field(default_factory=dict, max_length=12)


def _message(m: ShownMessage) -> MessageOut:
    return MessageOut(id=m.id, conversation_id=m.conversation_id, sender=m.sender.label,
                      sender_kind=m.sender.kind, when=m.when, text=m.text, flagged=m.flagged,
                      exhibit=m.exhibit_reference, source=m.source)


def _finding(f: ShownFinding) -> FindingOut:
    return FindingOut(id=f.id, category=f.category, severity=f.severity, score=f.score,
                      standards=list(f.standards), explanation=f.explanation,
                      decision=f.decision, message=_message(f.message))


@router.post("/login", response_model=SessionOut)
def login(body: Login, request: Request, response: Response, store: StoreDep,
          settings: SettingsDep) -> SessionOut:
    # JSON only (FastAPI refuses other content types), so a cross-site form cannot post it.
    user = accounts.authenticate(store.engine, body.username, body.password,
                                 address=client_address(request))
    session = accounts.start_session(store.engine, user)
    set_session_cookie(response, settings, session.id)
    return SessionOut(username=user.username, role=user.role.value, csrf=session.csrf)


@router.get("/session", response_model=SessionOut)
def whoami(session: CurrentSession) -> SessionOut:
    return SessionOut(username=session.user.username, role=session.user.role.value,
                      csrf=session.csrf)


@router.get("/cases")
def cases(session: CanViewCases, store: StoreDep) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        items = list_cases(conn)
        shown = set(teams.visible_cases(conn, session.user, [c.id for c in items]))
    items = [c for c in items if c.id in shown]
    return [{"id": c.id, "reference": c.reference, "status": c.status.value} for c in items]


@router.get("/cases/{case_id}")
def case(case_id: int, session: CanViewCases, store: StoreDep) -> dict[str, Any]:
    h = case_header(store, session, case_id)
    return {"id": h.case.id, "reference": h.case.reference, "status": h.case.status.value,
            "allegation": h.case.allegation, "scope_id": h.scope.id if h.scope else None,
            "messages_in_scope": h.totals.in_scope, "messages_withheld": h.totals.withheld,
            "findings_in_scope": h.totals.findings_in_scope}


@router.get("/cases/{case_id}/findings", response_model=list[FindingOut])
def findings(case_id: int, session: CanRead, store: StoreDep) -> list[FindingOut]:
    return [_finding(f) for f in door(store, session, case_id).queue()]


@router.get("/cases/{case_id}/findings/{finding_id}")
def finding(case_id: int, finding_id: int, session: CanRead, store: StoreDep
            ) -> dict[str, Any]:
    found, context = door(store, session, case_id).finding(finding_id)
    return {"finding": _finding(found), "context": [_message(m) for m in context]}


@router.post("/cases/{case_id}/findings/{finding_id}/decision", status_code=204)
def decide(case_id: int, finding_id: int, body: Decision, session: CanDecide,
           store: StoreDep) -> None:
    door(store, session, case_id).decide(finding_id, body.decision,
                                                              body.note)


@router.get("/cases/{case_id}/messages/{message_id}", response_model=MessageOut)
def message(case_id: int, message_id: int, session: CanRead, store: StoreDep) -> MessageOut:
    return _message(door(store, session, case_id).message(message_id))


@router.get("/cases/{case_id}/conversations/{conversation_id}",
            response_model=list[MessageOut])
def conversation(case_id: int, conversation_id: int, session: CanRead, store: StoreDep,
                 response: Response, at: int | None = None, after: int | None = None,
                 before: int | None = None,
                 size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE) -> list[MessageOut]:
    """One page of the conversation; ``Link`` names the earlier and later pages (no cap)."""
    page = door(store, session, case_id).conversation_page(
        conversation_id, Place(at, after, before), size=size)
    url = f"/api/cases/{case_id}/conversations/{conversation_id}?size={size}"
    links = [f'<{url}&before={page.earlier}>; rel="prev"'] if page.earlier else []
    links += [f'<{url}&after={page.later}>; rel="next"'] if page.later else []
    if links:
        response.headers["Link"] = ", ".join(links)
    return [_message(m) for m in page.messages]


@router.post("/cases/{case_id}/search")
def search(case_id: int, body: Search, session: CanRead, store: StoreDep) -> dict[str, Any]:
    flt = SearchFilter.from_query(body.filters)
    found = door(store, session, case_id).search_page(body.q, body.page, flt=flt)
    return {"results": [_message(m) for m in found.results], "withheld": found.withheld,
            "total": found.total, "page": found.page, "pages": found.pages}


@router.post("/cases/{case_id}/scopes", status_code=201)
def propose(case_id: int, body: Proposal, session: CanPropose, store: StoreDep
            ) -> dict[str, int]:
    sid = door(store, session, case_id).propose_scope(
        subjects=body.subjects, conversations=body.conversations, date_from=body.date_from,
        date_to=body.date_to, categories=body.categories, rationale=body.rationale)
    return {"id": sid}


@router.get("/cases/{case_id}/scopes/{scope_id}/review")
def review_scope(case_id: int, scope_id: int, session: CanAuthorise, store: StoreDep
                 ) -> dict[str, Any]:
    """What a proposed scope would expose: subjects, conversations, participants, counts."""
    r = door(store, session, case_id).review_scope(scope_id)
    return {"subjects": list(r.subjects), "conversations": list(r.conversations),
            "participants": list(r.participants), "messages": r.messages,
            "findings": r.findings}


@router.post("/scopes/{scope_id}/{verdict}", status_code=204)
def decide_scope(scope_id: int, verdict: str, body: Reason, session: CanAuthorise,
                 store: StoreDep) -> Response:
    if verdict not in ("authorise", "refuse"):
        return Response(status_code=404)
    CaseDoor.for_object(store.engine, session.user, "scope", scope_id).decide_scope(
        scope_id, verdict == "authorise", body.reason)
    return Response(status_code=204)


@router.post("/cases/{case_id}/unmask", status_code=201)
def request_unmask(case_id: int, body: UnmaskAsk, session: CanRequestUnmask, store: StoreDep
                   ) -> dict[str, int]:
    return {"id": door(store, session, case_id).request_unmask(body.number, body.reason)}


@router.post("/unmask/{request_id}/{verdict}", status_code=204)
def decide_unmask(request_id: int, verdict: str, body: Reason, session: CanApproveUnmask,
                  store: StoreDep) -> Response:
    if verdict not in ("approve", "refuse"):
        return Response(status_code=404)
    CaseDoor.for_object(store.engine, session.user, "unmask", request_id).decide_unmask(
        request_id, verdict == "approve", body.reason)
    return Response(status_code=204)


class LinkAsk(BaseModel):
    number: int | None = None
    person_id: int
    reason: str = Field(max_length=5000)
    remove: bool = False


@router.post("/cases/{case_id}/links", status_code=201)
def request_link(case_id: int, body: LinkAsk, session: CanLink, store: StoreDep
                 ) -> dict[str, int]:
    """Ask to link a pseudonym to a register person (or, ``remove``, to drop the case's
    links to that person); a supervisor decides."""
    case = door(store, session, case_id)
    if body.remove:
        return {"id": case.request_unlink(body.person_id, body.reason)}
    if body.number is None:
        raise ConductLensError("name the participant's number")
    return {"id": case.request_link(body.number, body.person_id, body.reason)}


@router.post("/links/{link_id}/{verdict}", status_code=204)
def decide_link(link_id: int, verdict: str, body: Reason, session: CanApproveUnmask,
                store: StoreDep) -> Response:
    if verdict not in ("approve", "refuse"):
        return Response(status_code=404)
    CaseDoor.for_object(store.engine, session.user, "link", link_id).decide_link(
        link_id, verdict == "approve", body.reason)
    return Response(status_code=204)


@router.get("/audit")
def audit_rows(session: CanReadAudit, store: StoreDep, username: str = "", action: str = "",
               case_id: int | None = None) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return audit.export_rows(conn, username=username, action=action, case_id=case_id)


@router.get("/audit/verify")
def audit_verify(session: CanReadAudit, store: StoreDep) -> dict[str, Any]:
    with store.engine.connect() as conn:
        result = audit.verify_chain(conn)
    return {"ok": result.ok, "records": result.records, "first_bad_id": result.first_bad_id,
            "reason": result.reason}
