"""The key facts dashboard for analysts: counts only, filtered, with CSV and XLSX export."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from conductlens.report import key_facts as kf
from conductlens.report import tables, terms
from conductlens.store import Store
from conductlens.web.deps import CanViewTotals, StoreDep
from conductlens.web.pages import render

router = APIRouter()
Q = Annotated[str, Query(max_length=64)]


def _facts(store: Store, year: str, filters: kf.Filters) -> tuple[str, list[tables.StatTable],
                                                                    dict[str, Any]]:
    with store.engine.connect() as conn:
        chosen = year or (kf.years_held(conn) or [kf.financial_year(date.today())])[0]
        facts = kf.key_facts(conn, chosen, filters)
        share = kf.messaging_share(conn, chosen, filters)
    return chosen, tables.tables(facts, share), facts


def _vocab() -> dict[str, list[tuple[str, str]]]:
    outcomes = [*terms.FindingLevel, *terms.Action]
    return {
        "case_type": [(m.value, terms.label(m.value)) for m in terms.CaseType],
        "standard": [(s, s) for s in terms.STANDARDS],
        "proceeding": [(m.value, terms.label(m.value)) for m in terms.Proceeding],
        "outcome": [(m.value, terms.label(m.value)) for m in outcomes],
        "subject_type": [(m.value, terms.label(m.value)) for m in terms.SubjectType],
    }


@router.get("/key-facts", response_class=HTMLResponse)
def dashboard(request: Request, session: CanViewTotals, store: StoreDep, year: Q = "",
              case_type: Q = "", standard: Q = "", proceeding: Q = "", outcome: Q = "",
              subject_type: Q = "") -> HTMLResponse:
    filters = kf.Filters(case_type, standard, proceeding, outcome, subject_type)
    chosen, stat_tables, facts = _facts(store, year, filters)
    with store.engine.connect() as conn:
        years = kf.years_held(conn)
    query = str(request.url.query)
    return render(request, "key_facts.html", {
        "year": chosen, "years": years, "tables": stat_tables, "facts": facts,
        "filters": filters, "vocab": _vocab(), "query": query})


@router.get("/key-facts/export.csv")
def export_csv(session: CanViewTotals, store: StoreDep, year: Q = "", case_type: Q = "",
               standard: Q = "", proceeding: Q = "", outcome: Q = "", subject_type: Q = ""
               ) -> Response:
    filters = kf.Filters(case_type, standard, proceeding, outcome, subject_type)
    chosen, stat_tables, _ = _facts(store, year, filters)
    return Response(tables.to_csv(chosen, stat_tables), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="key-facts-{chosen}.csv"'})


@router.get("/key-facts/export.xlsx")
def export_xlsx(session: CanViewTotals, store: StoreDep, year: Q = "", case_type: Q = "",
                standard: Q = "", proceeding: Q = "", outcome: Q = "", subject_type: Q = ""
                ) -> Response:
    filters = kf.Filters(case_type, standard, proceeding, outcome, subject_type)
    chosen, stat_tables, _ = _facts(store, year, filters)
    return Response(
        tables.to_xlsx(chosen, stat_tables),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="key-facts-{chosen}.xlsx"'})


@router.get("/key-facts/national", response_class=HTMLResponse)
def national(request: Request, session: CanViewTotals, store: StoreDep, year: Q = ""
             ) -> HTMLResponse:
    from conductlens.report.national_view import national_view, years_imported

    with store.engine.connect() as conn:
        years = years_imported(conn)
        chosen = year or (years[0] if years else kf.financial_year(date.today()))
        kf.year_bounds(chosen)
        view = national_view(conn, chosen)
    return render(request, "national.html", {"view": view, "years": years})


@router.get("/key-facts/trends", response_class=HTMLResponse)
def trends_page(request: Request, session: CanViewTotals, store: StoreDep) -> HTMLResponse:
    """Findings and decisions over time, per category and Standard, hours per case."""
    from conductlens.report.trends import bars, trends

    with store.engine.connect() as conn:
        figures = trends(conn)
    return render(request, "trends.html", {"t": figures, "bars": bars})
