"""Queue tools: tags on one finding or a selection, the force's own tag names, and
escalation of a finding to a named team member for a second review.

Each route is a thin call into ``CaseDoor`` (role, team, scope and audit there) and goes
back to where the reviewer was: the finding, or the same page of the same filtered queue.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens.review import queue_tools
from conductlens.review.door import CaseDoor
from conductlens.review.queue import QueueFilter
from conductlens.web.deps import CanDecide, CanDefineTags, CanEscalate, CanRead, StoreDep
from conductlens.web.pages import render
from conductlens.web.routes._case import door

router = APIRouter()
TagName = Annotated[str, Form(max_length=40)]
Comment = Annotated[str, Form(max_length=2000)]
QueueQuery = Annotated[str, Form(max_length=2000)]
Picked = Annotated[list[int] | None, Form()]


def selected(review: CaseDoor, flt: QueueFilter, finding: list[int] | None,
             group: list[int] | None) -> list[int]:
    """The findings a queue selection stands for: each ticked finding, and every finding
    of each ticked group in the same filtered queue."""
    chosen = list(finding or [])
    for head in group or []:
        chosen += review.group_of(head, flt)
    return chosen


def to_finding(case_id: int, finding_id: int, queue: str, anchor: str = "") -> Response:
    """Back to the finding, keeping the queue it was opened from (for "next")."""
    qs = QueueFilter.from_query(dict(parse_qsl(queue))).query_string()
    url = f"/cases/{case_id}/findings/{finding_id}" + (f"?{qs}" if qs else "")
    return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)


def to_queue(case_id: int, flt: QueueFilter, page: int) -> Response:
    qs = flt.query_string()
    return RedirectResponse(f"/cases/{case_id}/queue?{qs + '&' if qs else ''}page={page}",
                            status_code=303)


@router.post("/cases/{case_id}/findings/{finding_id}/tags")
def tag_finding(case_id: int, finding_id: int, session: CanDecide, store: StoreDep,
                tag: TagName, comment: Comment = "", queue: QueueQuery = "") -> Response:
    door(store, session, case_id).tag([finding_id], tag, comment)
    return to_finding(case_id, finding_id, queue, "tags")


@router.post("/cases/{case_id}/findings/{finding_id}/tags/remove")
def untag_finding(case_id: int, finding_id: int, session: CanDecide, store: StoreDep,
                  tag: TagName, queue: QueueQuery = "") -> Response:
    door(store, session, case_id).untag(finding_id, tag)
    return to_finding(case_id, finding_id, queue, "tags")


@router.post("/cases/{case_id}/tags")
def tag_selected(case_id: int, session: CanDecide, store: StoreDep, tag: TagName,
                 comment: Comment = "", finding: Picked = None, group: Picked = None,
                 queue: QueueQuery = "",
                 page: Annotated[int, Form(ge=1, le=10**6)] = 1) -> Response:
    """One tag (and comment) on every selected finding; a group stands for all of it."""
    review = door(store, session, case_id)
    flt = QueueFilter.from_query(dict(parse_qsl(queue)))
    chosen = selected(review, flt, finding, group)
    if chosen:
        review.tag(chosen, tag, comment)
    return to_queue(case_id, flt, page)


@router.post("/cases/{case_id}/findings/{finding_id}/escalate")
def escalate(case_id: int, finding_id: int, session: CanEscalate, store: StoreDep,
             to: Annotated[str, Form(max_length=64)], note: Comment,
             queue: QueueQuery = "") -> Response:
    door(store, session, case_id).escalate(finding_id, to, note)
    return to_finding(case_id, finding_id, queue, "escalation")


@router.post("/cases/{case_id}/findings/{finding_id}/second-review")
def second_review(case_id: int, finding_id: int, session: CanRead, store: StoreDep,
                  decision: Annotated[str, Form(max_length=16)], note: Comment = "",
                  queue: QueueQuery = "") -> Response:
    door(store, session, case_id).second_review(finding_id, decision, note)
    return to_finding(case_id, finding_id, queue, "escalation")


@router.get("/tags", response_class=HTMLResponse)
def tags_page(request: Request, session: CanDefineTags, store: StoreDep) -> HTMLResponse:
    return render(request, "tags.html", {
        "tags": queue_tools.force_tags(store.engine, session.user)})


@router.post("/tags")
def define_tag(session: CanDefineTags, store: StoreDep, name: TagName) -> Response:
    added = queue_tools.define_force_tag(store.engine, session.user, name)
    return RedirectResponse(f"/tags#tag-{added.replace(' ', '-')}", status_code=303)
