"""Key facts: the Home Office statistics' counts from the outcomes recorded, by financial year.

``compute`` is pure (records in, the contract's dictionary out); ``key_facts`` reads the store.
A *case* here is the statistics' case: one subject of one case. Counts with no cases are left
out (the dictionaries are sparse); medians are of calendar days from recorded to finalised.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from conductlens.report.outcomes import all_outcomes
from conductlens.report.records import Outcome
from conductlens.report.terms import Action, FindingLevel, OutcomeRefused, Proceeding
from conductlens.store import tables as t
from conductlens.store.tables_review import case_hours

_YEAR = re.compile(r"(\d{4})-(\d{2})")
# The order the key facts list actions in: dismissals first.
ACTION_ORDER = tuple(a.value for a in Action)


def financial_year(day: date) -> str:
    """The financial year (April to March) holding ``day``, as ``2021-22``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def year_bounds(year: str) -> tuple[date, date]:
    """First and last day of financial year ``YYYY-YY``; a malformed year is refused."""
    m = _YEAR.fullmatch(year.strip())
    if not m or (int(m[1]) + 1) % 100 != int(m[2]):
        raise OutcomeRefused(f"--year: {year!r} is not a financial year like 2025-26")
    return date(int(m[1]), 4, 1), date(int(m[1]) + 1, 3, 31)


@dataclass(frozen=True, slots=True)
class Filters:
    """The dashboard's filters; empty means everything."""

    case_type: str = ""
    standard: str = ""
    proceeding: str = ""
    outcome: str = ""  # a finding level or a disciplinary action
    subject_type: str = ""

    def keep(self, o: Outcome) -> bool:
        return ((not self.case_type or o.case_type == self.case_type)
                and (not self.standard or self.standard in o.standards)
                and (not self.proceeding or o.proceeding == self.proceeding)
                and (not self.outcome or self.outcome in (o.finding, o.action or ""))
                and (not self.subject_type or o.subject_type == self.subject_type))


def finalised_in(records: Iterable[Outcome], year: str) -> list[Outcome]:
    first, last = year_bounds(year)
    return [o for o in records if o.finalised_on and first <= o.finalised_on <= last]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 1)


def _sparse(counter: Counter[str], order: Sequence[str] = ()) -> dict[str, int]:
    keys = [k for k in order if counter[k]] + sorted(k for k in counter if k not in order)
    return {k: counter[k] for k in keys if counter[k]}


def _proceedings(records: Sequence[Outcome]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = {}
    for o in records:
        out.setdefault(o.case_type.value, Counter())[o.proceeding.value] += 1
    order = [p.value for p in Proceeding]
    return {ct: _sparse(c, order) for ct, c in sorted(out.items())}


def _medians(records: Sequence[Outcome]) -> dict[str, int | float]:
    days: dict[str, list[int]] = {}
    for o in records:
        if o.days_to_finalise is not None:
            days.setdefault(o.case_type.value, []).append(o.days_to_finalise)
    return {ct: _number(statistics.median(d)) for ct, d in sorted(days.items())}


def _hours(records: Sequence[Outcome], hours: Mapping[int, float]) -> dict[str, int | float]:
    per_case = [hours[c] for c in sorted({o.case_id for o in records}) if hours.get(c)]
    return {"total": _number(round(sum(per_case), 2)),
            "per_case_median": _number(statistics.median(per_case)) if per_case else 0}


def compute(records: Iterable[Outcome], year: str, hours: Mapping[int, float] | None = None,
            filters: Filters | None = None) -> dict[str, Any]:
    """The key facts for ``year`` from ``records`` (hours by case id, where logged)."""
    chosen = [o for o in finalised_in(records, year) if (filters or Filters()).keep(o)]
    found = [o for o in chosen if o.finding in (FindingLevel.MISCONDUCT,
                                                FindingLevel.GROSS_MISCONDUCT)]
    return {
        "year": year,
        "cases_finalised": len(chosen),
        "proceedings": _proceedings(chosen),
        "findings": _sparse(Counter(o.finding.value for o in chosen
                                    if o.finding != FindingLevel.NONE_RECORDED),
                            [f.value for f in FindingLevel]),
        "actions": _sparse(Counter(o.action.value for o in chosen if o.action), ACTION_ORDER),
        "standards": _sparse(Counter(s for o in found for s in o.standards)),
        "median_days_to_finalise": _medians(chosen),
        "hours": _hours(chosen, hours or {}),
    }


def hours_by_case(conn: Connection) -> dict[int, float]:
    rows = conn.execute(select(case_hours.c.case_id, func.sum(case_hours.c.hours))
                        .group_by(case_hours.c.case_id))
    return {int(c): float(h) for c, h in rows}


def key_facts(conn: Connection, year: str | None = None, filters: Filters | None = None
              ) -> dict[str, Any]:
    """Key facts from the store for ``year`` (default: the current financial year)."""
    chosen = year or financial_year(date.today())
    return compute(all_outcomes(conn), chosen, hours_by_case(conn), filters)


def messaging_share(conn: Connection, year: str, filters: Filters | None = None) -> float | None:
    """The share of cases finalised in ``year`` whose case holds messaging evidence (an
    exhibit); ``None`` when none were finalised."""
    chosen = [o for o in finalised_in(all_outcomes(conn), year) if (filters or Filters()).keep(o)]
    if not chosen:
        return None
    with_exhibits = set(conn.scalars(select(t.exhibits.c.case_id).distinct()))
    with_exhibits |= set(conn.scalars(select(t.case_exhibits.c.case_id).distinct()))
    return sum(o.case_id in with_exhibits for o in chosen) / len(chosen)


def years_held(conn: Connection) -> list[str]:
    """Financial years with a finalised outcome, newest first (for the dashboard's filter)."""
    return sorted({financial_year(o.finalised_on) for o in all_outcomes(conn)
                   if o.finalised_on}, reverse=True)
