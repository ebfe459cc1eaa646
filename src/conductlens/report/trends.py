"""The analyst's trends: counts of findings and decisions over time, per category and per
Standard, and hours per case. Counts only, and only of findings inside each case's
authorised scope (a finding outside it is counted nowhere, as it is shown nowhere).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from conductlens.review import scope
from conductlens.store import tables as t
from conductlens.store.tables_review import case_hours, decisions


@dataclass(slots=True)
class Trends:
    """Each figure as (label, count) rows, in the order a chart draws them."""

    findings_by_month: list[tuple[str, int]] = field(default_factory=list)
    decisions_by_month: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_standard: list[tuple[str, int]] = field(default_factory=list)
    hours_by_case: list[tuple[str, float]] = field(default_factory=list)


def _month(value: object) -> str:
    day = value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])
    return day.strftime("%Y-%m")


def trends(conn: Connection) -> Trends:
    """The trends over every case with an authorised scope (counts, no content)."""
    months: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    standards: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for case_id in conn.scalars(select(t.cases.c.id).order_by(t.cases.c.id)):
        sc = scope.current(conn, int(case_id))
        if sc is None:
            continue
        _count_case(conn, sc, months, categories, standards, decided)
    return Trends(sorted(months.items()), sorted(decided.items()),
                  categories.most_common(), standards.most_common(), _hours(conn))


def _count_case(conn: Connection, sc: scope.Scope, months: Counter[str],
                categories: Counter[str], standards: Counter[str],
                decided: Counter[str]) -> None:
    f, m = t.findings, t.messages
    query = select(f.c.id, f.c.category, f.c.standards,
                   func.coalesce(m.c.ts_local, m.c.ts_utc)).select_from(
        f.join(m, m.c.id == f.c.message_id)).where(scope.scope_clause(sc),
                                                    scope.finding_once(sc))
    if sc.categories:
        query = query.where(f.c.category.in_(sc.categories))
    inside: set[int] = set()
    for fid, category, named, when in conn.execute(query):
        inside.add(int(fid))
        categories[str(category)] += 1
        standards.update(json.loads(str(named)))
        if when is not None:
            months[_month(when)] += 1
    for fid, when in conn.execute(select(decisions.c.finding_id, decisions.c.created_at).where(
            decisions.c.case_id == sc.case_id)):
        if int(fid) in inside:
            decided[_month(when)] += 1


def _hours(conn: Connection) -> list[tuple[str, float]]:
    rows = conn.execute(select(t.cases.c.reference, func.sum(case_hours.c.hours)).select_from(
        case_hours.join(t.cases, t.cases.c.id == case_hours.c.case_id)).group_by(
        t.cases.c.reference).order_by(t.cases.c.reference))
    return [(str(ref), round(float(total or 0), 2)) for ref, total in rows]


def bars(rows: list[tuple[str, Any]], width: int = 640, bar: int = 22) -> dict[str, Any]:
    """Geometry of a horizontal bar chart of ``rows`` for the SVG template: one bar a row,
    its label left, its value at its end; the scale starts at zero."""
    top = max((float(v) for _, v in rows), default=0.0) or 1.0
    left, room = 170, width - 170 - 60
    return {"width": width, "height": bar * len(rows) + 24, "left": left, "bars": [
        {"y": 12 + i * bar, "w": round(room * float(v) / top, 1), "label": label, "value": v}
        for i, (label, v) in enumerate(rows)]}
