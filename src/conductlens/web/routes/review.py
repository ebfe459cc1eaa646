"""Review inside the scope: queue, finding with context, decisions, conversation, search,
export, timeline, and unmasking requests."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from conductlens.review.access import DECISIONS
from conductlens.review.conversation import MAX_PAGE, PAGE, Filters, Place
from conductlens.web.deps import (
    CanApproveUnmask,
    CanDecide,
    CanRead,
    CanRequestUnmask,
    StoreDep,
)
from conductlens.web.pages import render
from conductlens.web.routes._case import case_header, door
from conductlens.web.timeline import timeline_svg

router = APIRouter()
Reason = Annotated[str, Form(max_length=5000)]


@router.get("/cases/{case_id}/queue", response_class=HTMLResponse)
def queue(request: Request, case_id: int, session: CanRead, store: StoreDep,
          undecided: bool = False) -> HTMLResponse:
    header = case_header(store, session, case_id)
    review = door(store, session, case_id)
    items = review.queue(include_decided=not undecided)
    chart = Markup(timeline_svg(review.timeline()))  # noqa: S704 - built with escape()
    return render(request, "queue.html", {"h": header, "items": items, "chart": chart,
                                          "undecided": undecided})


@router.get("/cases/{case_id}/findings/{finding_id}", response_class=HTMLResponse)
def finding(request: Request, case_id: int, finding_id: int, session: CanRead,
            store: StoreDep) -> HTMLResponse:
    header = case_header(store, session, case_id)
    review = door(store, session, case_id)
    found, context = review.finding(finding_id)
    ids = [f.id for f in review.queue(include_decided=False)]
    nxt = next((i for i in ids if i != finding_id), None)
    return render(request, "finding.html", {"h": header, "f": found, "context": context,
                                            "decisions": DECISIONS, "next_id": nxt})


@router.post("/cases/{case_id}/findings/{finding_id}/decision")
def decide(case_id: int, finding_id: int, session: CanDecide, store: StoreDep,
           decision: Annotated[str, Form(max_length=16)],
           note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    door(store, session, case_id).decide(finding_id, decision, note)
    return RedirectResponse(f"/cases/{case_id}/queue?undecided=true", status_code=303)


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


@router.get("/cases/{case_id}/search", response_class=HTMLResponse)
def search_form(request: Request, case_id: int, session: CanRead, store: StoreDep
                ) -> HTMLResponse:
    header = case_header(store, session, case_id)
    return render(request, "search.html", {"h": header, "q": "", "results": None})


@router.post("/cases/{case_id}/search", response_class=HTMLResponse)
def search(request: Request, case_id: int, session: CanRead, store: StoreDep,
           q: Annotated[str, Form(max_length=200)]) -> HTMLResponse:
    # POST, so search terms never reach URLs, access logs or browser history.
    header = case_header(store, session, case_id)
    results, withheld = door(store, session, case_id).search(q)
    return render(request, "search.html", {"h": header, "q": q, "results": results,
                                           "withheld": withheld})


@router.post("/cases/{case_id}/export")
def export(case_id: int, session: CanRead, store: StoreDep,
           recipient: Annotated[str, Form(max_length=200)], purpose: Reason) -> Response:
    data = door(store, session, case_id).export_csv(recipient, purpose)
    return Response(data, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="case-{case_id}-findings.csv"'})


@router.get("/cases/{case_id}/people", response_class=HTMLResponse)
def people(request: Request, case_id: int, session: CanRead, store: StoreDep) -> HTMLResponse:
    header = case_header(store, session, case_id)
    shown = door(store, session, case_id).people()
    return render(request, "people.html", {"h": header, "people": shown})


@router.post("/cases/{case_id}/unmask")
def request_unmask(case_id: int, session: CanRequestUnmask, store: StoreDep,
                   number: Annotated[int, Form()], reason: Reason) -> Response:
    door(store, session, case_id).request_unmask(number, reason)
    return RedirectResponse(f"/cases/{case_id}#unmasking", status_code=303)


@router.post("/cases/{case_id}/unmask/{request_id}/{verdict}")
def decide_unmask(case_id: int, request_id: int, verdict: str, session: CanApproveUnmask,
                  store: StoreDep, reason: Reason) -> Response:
    if verdict not in ("approve", "refuse"):
        return Response(status_code=404)
    door(store, session, case_id).decide_unmask(request_id, verdict == "approve", reason)
    return RedirectResponse(f"/cases/{case_id}#unmasking", status_code=303)
