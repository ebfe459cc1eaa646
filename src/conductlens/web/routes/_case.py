"""The door for a route (one ``CaseDoor`` per signed-in user and case), the header, and the
case page's tabs: what each shows, and how an action on it answers.

An action answers with a redirect to its tab carrying a notice that names what it did
(``notices.done``); a refusal (a plain ``ConductLensError``: a value the library would not
take) shows the tab again with the reason beside its form and the values as typed. Other
errors (a hidden case, a role that may not act) keep their usual answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from conductlens import jobs
from conductlens.errors import ConductLensError
from conductlens.review.accounts import WebSession
from conductlens.review.door import CaseDoor, CaseHeader
from conductlens.store import Store
from conductlens.web.notices import done
from conductlens.web.pages import render

__all__ = ["CaseHeader", "act_on_case", "case_context", "case_header", "door", "tab_url"]


def door(store: Store, session: WebSession, case_id: int) -> CaseDoor:
    """The signed-in user's door into case ``case_id`` (it checks role and team itself)."""
    return CaseDoor(store.engine, session.user, case_id)


def case_header(store: Store, session: WebSession, case_id: int) -> CaseHeader:
    return door(store, session, case_id).header()


def tab_url(case_id: int, tab: str = "overview") -> str:
    return f"/cases/{case_id}" if tab == "overview" else f"/cases/{case_id}?tab={tab}"


def case_context(store: Store, session: WebSession, case_id: int, tab: str = "overview",
                 everything: bool = False) -> dict[str, Any]:
    """Everything tab ``tab`` of the case page shows (also re-shown with a form's error)."""
    d = door(store, session, case_id)
    context = {"h": d.header(), **d.case_tab(tab, everything)}
    if context["tab"] in ("overview", "exhibits", "disclosure"):
        context["jobs"], context["job_progress"] = jobs.case_jobs(store, session.user, case_id)
    return context


def act_on_case(request: Request, store: Store, session: WebSession, case_id: int, *,
                tab: str, form: str, entered: dict[str, Any],
                act: Callable[[CaseDoor], str], to: Callable[[], str] | None = None
                ) -> Response:
    """Run ``act`` (it returns the notice) and go back to ``tab`` (or where ``to`` says
    once it has run); refused, show ``tab`` again with the reason beside form ``form`` and
    ``entered`` in its fields."""
    try:
        notice = act(door(store, session, case_id))
    except ConductLensError as exc:
        if type(exc) is not ConductLensError:  # hidden case, out of scope, role: as ever
            raise
        context = case_context(store, session, case_id, tab) | {
            "error": {"form": form, "message": str(exc)}, "entered": entered}
        return render(request, "case.html", context, 400)
    return done(request, to() if to else tab_url(case_id, tab), notice)
