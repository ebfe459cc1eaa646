"""The auditor's pages: filter, verify and export the audit log."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from conductlens.review import audit
from conductlens.review._csv import csv_row
from conductlens.web.deps import CanReadAudit, StoreDep
from conductlens.web.pages import render

router = APIRouter()
COLUMNS = ("id", "ts", "username", "action", "case_id", "object_ids", "justification", "detail",
           "prev_hash", "hash")


def _rows(store: StoreDep, username: str, action: str, case_id: int | None
          ) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return audit.export_rows(conn, username=username, action=action, case_id=case_id)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: CanReadAudit, store: StoreDep,
               username: Annotated[str, Query(max_length=64)] = "",
               action: Annotated[str, Query(max_length=40)] = "",
               case_id: int | None = None) -> HTMLResponse:
    # Reading the log is itself a consultation of personal data: record it first.
    audit.record(store.engine, audit.AuditEvent(session.user.username, "audit.view", detail={
        "username": username, "action": action, "case_id": case_id}))
    rows = _rows(store, username, action, case_id)
    with store.engine.connect() as conn:
        verdict = audit.verify_chain(conn)
    return render(request, "audit.html", {"rows": rows[-500:], "count": len(rows),
                                          "verdict": verdict, "username": username,
                                          "action": action, "case_id": case_id})


@router.get("/audit/export.csv")
def audit_export(session: CanReadAudit, store: StoreDep,
                 username: Annotated[str, Query(max_length=64)] = "",
                 action: Annotated[str, Query(max_length=40)] = "",
                 case_id: int | None = None) -> Response:
    audit.record(store.engine, audit.AuditEvent(
        session.user.username, "audit.export",
        detail={"username": username, "action": action, "case_id": case_id}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in _rows(store, username, action, case_id):
        writer.writerow(csv_row(row, COLUMNS))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
