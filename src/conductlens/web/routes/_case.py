"""What every case page shows in its header: reference, status, scope and withheld totals."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException

from conductlens.errors import ConductLensError
from conductlens.review import scope
from conductlens.review.access import ReviewSession, Totals
from conductlens.review.accounts import WebSession
from conductlens.review.cases import Case, find_case
from conductlens.store import Store


@dataclass(frozen=True, slots=True)
class CaseHeader:
    case: Case
    scope: scope.Scope | None
    pending: int
    totals: Totals


def case_header(store: Store, session: WebSession, case_id: int) -> CaseHeader:
    with store.engine.connect() as conn:
        try:
            case = find_case(conn, case_id)
        except ConductLensError as exc:
            raise HTTPException(404, "no such case") from exc
        current = scope.current(conn, case_id)
        pending = sum(1 for s in scope.history(conn, case_id) if s.status == "proposed")
    totals = ReviewSession(store.engine, session.user, case_id).totals()
    return CaseHeader(case, current, pending, totals)
