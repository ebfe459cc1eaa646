"""Review inside the scope: queue, finding with context, decisions, conversation, search,
export, timeline, and unmasking requests."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from conductlens.review.conversation import MAX_PAGE, PAGE, Filters, Place
from conductlens.review.door import CaseDoor
from conductlens.review.escalations import FILTERS as ESCALATION_FILTERS
from conductlens.review.queue import (
    DECISION_FILTERS,
    DECISIONS,
    SEVERITY_RANK,
    SORTS,
    QueueFilter,
)
from conductlens.review.searching import SearchFilter
from conductlens.web.deps import (
    CanApproveUnmask,
    CanDecide,
    CanRead,
    CanRequestUnmask,
    StoreDep,
)
from conductlens.web.notices import done
from conductlens.web.pages import render
from conductlens.web.routes._case import act_on_case, case_header, door, tab_url
from conductlens.web.routes.queue_tools import selected, to_queue
from conductlens.web.timeline import timeline_svg

router = APIRouter()
Reason = Annotated[str, Form(max_length=5000)]


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() and len(raw) < 7 else 1


@router.get("/cases/{case_id}/queue", response_class=HTMLResponse)
def queue(request: Request, case_id: int, session: CanRead, store: StoreDep) -> HTMLResponse:
    header = case_header(store, session, case_id)
    review = door(store, session, case_id)
    flt = QueueFilter.from_query(request.query_params)
    shown = review.queue_page(flt, _page(request))
    chart = Markup(timeline_svg(review.timeline()))  # noqa: S704 - built with escape()
    return render(request, "queue.html", {
        "h": header, "page": shown, "items": [r.finding for r in shown.rows], "chart": chart,
        "flt": flt, "qs": flt.query_string(), "choices": review.queue_choices(),
        "decisions": DECISIONS, "decision_filters": DECISION_FILTERS, "sorts": SORTS,
        "severities": list(SEVERITY_RANK), "tag_choices": review.tag_choices(),
        "tags": review.tags_of(r.finding.id for r in shown.rows),
        "escalations": review.escalations_of(r.finding.id for r in shown.rows),
        "escalation_filters": ESCALATION_FILTERS,
        "search_qs": SearchFilter.from_query(request.query_params).query_string()})


@router.get("/cases/{case_id}/findings/{finding_id}", response_class=HTMLResponse)
def finding(request: Request, case_id: int, finding_id: int, session: CanRead,
            store: StoreDep) -> HTMLResponse:
    header = case_header(store, session, case_id)
    review = door(store, session, case_id)
    found, context = review.finding(finding_id)
    flt = QueueFilter.from_query(request.query_params)
    previous, nxt = review.neighbours(finding_id, flt)
    return render(request, "finding.html", {
        "h": header, "f": found, "context": context, "decisions": DECISIONS, "next_id": nxt,
        "previous_id": previous, "qs": flt.query_string(), "tag_choices": review.tag_choices(),
        "tags": review.tags_of([finding_id]).get(finding_id, []),
        "escalations": review.escalations_of([finding_id]).get(finding_id, []),
        "reviewers": review.escalation_choices(), "me": session.user.username,
        "others": review.sender_findings(finding_id),
        "sender_qs": QueueFilter(sender=found.message.sender.label, sort="time",
                                 grouped=False, low=True).query_string()})


def _after_decision(case_id: int, review: CaseDoor, finding_id: int, flt: QueueFilter
                    ) -> Response:
    """On to the next finding of the same filtered queue (the queue itself at its end)."""
    qs = flt.query_string()
    nxt = review.neighbours(finding_id, flt)[1]
    where = f"/cases/{case_id}/findings/{nxt}" if nxt else f"/cases/{case_id}/queue"
    return RedirectResponse(f"{where}?{qs}" if qs else where, status_code=303)


@router.post("/cases/{case_id}/findings/{finding_id}/decision")
def decide(case_id: int, finding_id: int, session: CanDecide, store: StoreDep,
           decision: Annotated[str, Form(max_length=16)],
           note: Annotated[str, Form(max_length=2000)] = "",
           queue: Annotated[str, Form(max_length=2000)] = "") -> Response:
    review = door(store, session, case_id)
    review.decide(finding_id, decision, note)
    return _after_decision(case_id, review, finding_id, QueueFilter.from_query(
        dict(parse_qsl(queue))))


@router.post("/cases/{case_id}/decisions")
def decide_selected(case_id: int, session: CanDecide, store: StoreDep,
                    decision: Annotated[str, Form(max_length=16)],
                    finding: Annotated[list[int] | None, Form()] = None,
                    group: Annotated[list[int] | None, Form()] = None,
                    note: Annotated[str, Form(max_length=2000)] = "",
                    queue: Annotated[str, Form(max_length=2000)] = "",
                    page: Annotated[int, Form(ge=1, le=10**6)] = 1) -> Response:
    """One decision on every selected finding; a selected group stands for all its
    findings in the same filtered queue (each decision audited on its own)."""
    review = door(store, session, case_id)
    flt = QueueFilter.from_query(dict(parse_qsl(queue)))
    chosen = selected(review, flt, finding, group)
    if chosen:
        review.decide_many(chosen, decision, note)
    return to_queue(case_id, flt, page)


@router.get("/cases/{case_id}/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation(request: Request, case_id: int, conversation_id: int, session: CanRead,
                 store: StoreDep, at: int | None = None, after: int | None = None,
                 before: int | None = None, day: Annotated[date | None, Query()] = None,
                 day_from: Annotated[date | None, Query()] = None,
                 day_to: Annotated[date | None, Query()] = None, flagged: bool = False,
                 size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE) -> HTMLResponse:
    header = case_header(store, session, case_id)
    filters = Filters(day_from, day_to, flagged)
    page = door(store, session, case_id).conversation_page(
        conversation_id, Place(at, after, before, day), filters, size)
    return render(request, "conversation.html", {
        "h": header, "page": page, "conversation_id": conversation_id, "day_from": day_from,
        "day_to": day_to, "flagged": flagged, "size": size, "day": day})


def _search_page(request: Request, case_id: int, session: CanRead, store: StoreDep,
                 q: str, page: int) -> HTMLResponse:
    """Filters come from the URL (a GET keeps them there); words from a POST's body only."""
    header = case_header(store, session, case_id)
    review = door(store, session, case_id)
    flt = SearchFilter.from_query(request.query_params)
    found = review.search_page(q, page, flt=flt) if q or flt.narrowed else None
    return render(request, "search.html", {
        "h": header, "q": q, "found": found, "flt": flt, "qs": flt.query_string(),
        "choices": review.queue_choices(), "severities": list(SEVERITY_RANK)})


@router.get("/cases/{case_id}/search", response_class=HTMLResponse)
def search_form(request: Request, case_id: int, session: CanRead, store: StoreDep
                ) -> HTMLResponse:
    return _search_page(request, case_id, session, store, "", _page(request))


@router.post("/cases/{case_id}/search", response_class=HTMLResponse)
def search(request: Request, case_id: int, session: CanRead, store: StoreDep,
           q: Annotated[str, Form(max_length=200)],
           page: Annotated[int, Form(ge=1)] = 1) -> HTMLResponse:
    # POST, so search terms never reach URLs, access logs or browser history.
    return _search_page(request, case_id, session, store, q, page)


@router.post("/cases/{case_id}/export")
def export(case_id: int, session: CanRead, store: StoreDep,
           recipient: Annotated[str, Form(max_length=200)], purpose: Reason) -> Response:
    data = door(store, session, case_id).export_csv(recipient, purpose)
    return Response(data, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="case-{case_id}-findings.csv"'})


@router.get("/cases/{case_id}/people", response_class=HTMLResponse)
def people(request: Request, case_id: int, session: CanRead, store: StoreDep) -> HTMLResponse:
    header = case_header(store, session, case_id)
    shown = door(store, session, case_id).people_overview()
    return render(request, "people.html", {"h": header, "people": shown})


@router.post("/cases/{case_id}/unmask")
def request_unmask(request: Request, case_id: int, session: CanRequestUnmask, store: StoreDep,
                   number: Annotated[int, Form()], reason: Reason) -> Response:
    door(store, session, case_id).request_unmask(number, reason)
    return done(request, tab_url(case_id, "people"), f"Asked to unmask Participant "
                f"{number:02d}; a supervisor on the case team decides.")


@router.post("/cases/{case_id}/unmask/{request_id}/{verdict}", response_model=None)
def decide_unmask(request: Request, case_id: int, request_id: int, verdict: str,
                  session: CanApproveUnmask, store: StoreDep, reason: Reason) -> Response:
    if verdict not in ("approve", "refuse"):
        return Response(status_code=404)

    def act(d: CaseDoor) -> str:
        d.decide_unmask(request_id, verdict == "approve", reason)
        return f"Unmasking request {request_id} {verdict}d."
    return act_on_case(request, store, session, case_id, tab="people",
                       form=f"unmask-{request_id}", entered={"reason": reason}, act=act)
