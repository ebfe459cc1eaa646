"""Outcomes per subject, barred-list referrals and the evidential bundle, for the case's
investigators.

Reads and writes go through the case's door (``CaseDoor``: role, team, transaction, audit);
the rules are ``report.reg42``'s: a refused
outcome comes back as a 400 page naming each rule broken.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conductlens import jobs
from conductlens.report import outcomes as oc
from conductlens.report import terms
from conductlens.report.records import BarredListReferral
from conductlens.report.terms import OutcomeRefused
from conductlens.web.deps import CanEditCase, CanViewCases, StoreDep
from conductlens.web.pages import render
from conductlens.web.routes._case import door
from conductlens.web.routes.jobs import wake_worker

router = APIRouter()
Short = Annotated[str, Form(max_length=200)]
FIELDS = ("case_type", "subject_type", "recorded_on", "case_to_answer", "proceeding",
          "finding", "action", "former_officer", "live_final_written_warning",
          "several_unconnected_incidents", "investigation_started_on", "referred_on",
          "proceeding_on", "finalised_on", "suspended_from", "suspended_to",
          "appeal_lodged_on", "appeal_result", "appeal_decided_on", "criminal_proceedings")


def _vocab() -> dict[str, list[tuple[str, str]]]:
    def pairs(kind: type[StrEnum]) -> list[tuple[str, str]]:
        return [(m.value, terms.label(m.value)) for m in kind]

    return {"case_type": pairs(terms.CaseType), "subject_type": pairs(terms.SubjectType),
            "proceeding": pairs(terms.Proceeding), "finding": pairs(terms.FindingLevel),
            "action": pairs(terms.Action), "appeal_result": pairs(terms.AppealResult)}


@router.get("/cases/{case_id}/outcomes", response_class=HTMLResponse)
def outcome_page(request: Request, case_id: int, session: CanViewCases, store: StoreDep
                 ) -> HTMLResponse:
    d = door(store, session, case_id)
    return render(request, "outcomes.html", {
        "h": d.header(), **d.outcomes(), "vocab": _vocab(), "standards": terms.STANDARDS,
        "due": oc.referral_due, "characteristics": terms.PROTECTED_CHARACTERISTICS,
        "label": terms.label})


@router.post("/cases/{case_id}/outcomes")
async def record_outcome(request: Request, case_id: int, session: CanEditCase,
                         store: StoreDep) -> Response:
    form = await request.form()
    fields = {k: str(v)[:2000] for k, v in form.items() if k in FIELDS or k.startswith("pc_")}
    standards = [str(s) for s in form.getlist("standards")]
    try:
        person_id = int(str(form.get("person_id", "")))
    except ValueError:
        raise OutcomeRefused("person_id: choose a subject of the case") from None
    outcome = oc.outcome_from_fields(case_id, person_id, fields, standards)
    door(store, session, case_id).record_outcome(outcome)
    return RedirectResponse(f"/cases/{case_id}/outcomes#subject-{person_id}", status_code=303)


@router.post("/cases/{case_id}/outcomes/referral")
def record_referral(case_id: int, session: CanEditCase, store: StoreDep,
                    outcome_id: Annotated[int, Form()], name: Short, force: Short,
                    date_of_birth: Annotated[date, Form()], status: Short, rank: Short,
                    warrant_number: Short, reasons: Annotated[str, Form(max_length=5000)],
                    sent_on: Annotated[date, Form()]) -> Response:
    door(store, session, case_id).record_referral(BarredListReferral(
        outcome_id, name.strip(), force.strip(), date_of_birth, status.strip(),
        rank.strip(), warrant_number.strip(), reasons.strip(), sent_on))
    return RedirectResponse(f"/cases/{case_id}/outcomes", status_code=303)


@router.post("/cases/{case_id}/bundle")
def queue_bundle(request: Request, case_id: int, session: CanEditCase, store: StoreDep,
                 recipient: Annotated[str, Form(max_length=200)]) -> Response:
    """Queue the evidential bundle for ``recipient`` (a recorded disclosure when written);
    the job page offers the zip of bundle.pdf, bundle.html and manifest.json."""
    job_id = jobs.queue_bundle(store, session.user, case_id, recipient)
    wake_worker(request)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
