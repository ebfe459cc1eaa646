"""The auditor's pages: filter, page, verify and export the audit log, and who saw what."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from conductlens.errors import ConductLensError
from conductlens.review import audit, audit_mark, audit_view
from conductlens.review._csv import csv_row
from conductlens.review.audit_view import AuditFilter
from conductlens.web.deps import CanReadAudit, StoreDep
from conductlens.web.pages import render

router = APIRouter()
COLUMNS = ("id", "ts", "username", "action", "case_id", "object_ids", "justification", "detail",
           "prev_hash", "hash")
Text = Annotated[str, Query(max_length=64)]


def _day(value: str, name: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ConductLensError(f"{name} must be a date (YYYY-MM-DD)") from None


def _number(value: str, name: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise ConductLensError(f"{name} must be a number")
    return int(value)


def audit_filter(username: Text = "", action: Text = "", case_id: Text = "",
                 object_kind: Text = "", object_id: Text = "", date_from: Text = "",
                 date_to: Text = "") -> AuditFilter:
    """The filter from the URL (the page, the CSV and who-saw-what read the same)."""
    kind = object_kind.strip()
    if kind and not kind.replace("_", "").isalpha():
        raise ConductLensError("object kind must be a word such as finding or message")
    return AuditFilter(username.strip(), action.strip(), _number(case_id, "case"), kind,
                       _number(object_id, "object id"), _day(date_from, "from"),
                       _day(date_to, "to"))


Filter = Annotated[AuditFilter, Depends(audit_filter)]


def _query(flt: AuditFilter) -> str:
    """``flt`` as a query string, empty fields left out."""
    return urlencode({k: v for k, v in asdict(flt).items() if v not in (None, "")})


def _record(store: StoreDep, session: CanReadAudit, action: str, flt: AuditFilter) -> None:
    # Reading the log is itself a consultation of personal data: record it first.
    audit.record(store.engine, audit.AuditEvent(session.user.username, action, detail={
        k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(flt).items()}))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: CanReadAudit, store: StoreDep, flt: Filter,
               before: int | None = None) -> HTMLResponse:
    _record(store, session, "audit.view", flt)
    verdict = audit_mark.verify_recent(store.engine)  # walks only what is new since
    with store.engine.connect() as conn:
        rows, older = audit_view.page(conn, flt, before)
        shown = audit_view.objects(conn, rows)
        actions = audit_view.actions(conn)
    return render(request, "audit.html", {
        "rows": rows, "objects": shown, "older": older, "before": before, "verdict": verdict,
        "f": flt, "query": _query(flt), "actions": actions, "when": audit_view.when,
        "rationales": _first_rationales(rows)})


def _first_rationales(rows: list[dict[str, Any]]) -> set[int]:
    """Ids of the rows whose justification differs from the row above: only these show
    it, so a scope's rationale is read once, not on every view under it."""
    firsts, last = set(), None
    for row in rows:
        if row["justification"] != last:
            firsts.add(int(row["id"]))
        last = row["justification"]
    return firsts


@router.get("/audit/seen", response_class=HTMLResponse)
def who_saw_what(request: Request, session: CanReadAudit, store: StoreDep,
                 flt: Filter) -> HTMLResponse:
    _record(store, session, "audit.seen", flt)
    with store.engine.connect() as conn:
        seen = audit_view.who_saw_what(conn, flt)
    return render(request, "audit_seen.html", {"seen": seen, "f": flt, "query": _query(flt),
                                               "when": audit_view.when})


@router.get("/audit/export.csv")
def audit_export(session: CanReadAudit, store: StoreDep, flt: Filter) -> Response:
    _record(store, session, "audit.export", flt)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    with store.engine.connect() as conn:
        for row in audit_view.everything(conn, flt):
            writer.writerow(csv_row(row, COLUMNS))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
