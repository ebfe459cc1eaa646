"""Standard 10 pages: the case's group dynamics, one incident's responses, one member's record.

Every page reads through ``ReviewSession.standard10`` (scope, pseudonyms, audit)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from conductlens.errors import ScopeError
from conductlens.review.access import ReviewSession
from conductlens.web.deps import CanRead, StoreDep
from conductlens.web.pages import render
from conductlens.web.routes._case import case_header

router = APIRouter()


def _pictures(view: object) -> dict[int, tuple[Markup, Markup]]:
    # The SVG is built with html.escape() around every label (dynamics/svg.py).
    return {cid: (Markup(a), Markup(b))  # noqa: S704
            for cid, (a, b) in view.pictures.items()}  # type: ignore[attr-defined]


@router.get("/cases/{case_id}/standard10", response_class=HTMLResponse)
def case_view(request: Request, case_id: int, session: CanRead, store: StoreDep
              ) -> HTMLResponse:
    header = case_header(store, session, case_id)
    view = ReviewSession(store.engine, session.user, case_id).standard10()
    return render(request, "standard10.html", {"h": header, "view": view,
                                               "pictures": _pictures(view)})


@router.get("/cases/{case_id}/standard10/messages/{message_id}", response_class=HTMLResponse)
def incident(request: Request, case_id: int, message_id: int, session: CanRead,
             store: StoreDep) -> HTMLResponse:
    header = case_header(store, session, case_id)
    view = ReviewSession(store.engine, session.user, case_id).standard10()
    found = next((r for r in view.responses if r.message_id == message_id), None)
    if found is None:
        raise ScopeError("no such incident inside the authorised scope")
    return render(request, "responses.html", {"h": header, "r": found})


@router.get("/cases/{case_id}/standard10/person", response_class=HTMLResponse)
def person(request: Request, case_id: int, who: str, session: CanRead, store: StoreDep
           ) -> HTMLResponse:
    header = case_header(store, session, case_id)
    view = ReviewSession(store.engine, session.user, case_id).standard10()
    record = next((p for p in view.people if p.who.identity == who), None)
    if record is None:
        raise ScopeError("no such member inside the authorised scope")
    when = {r.message_id: r for r in view.responses}
    return render(request, "standard10_person.html", {"h": header, "p": record, "when": when})
