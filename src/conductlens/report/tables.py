"""Key facts as tables in the Home Office statistics' shape, for the dashboard, CSV and XLSX.

Each ``StatTable`` is a title, a header and rows of labels and counts; the same tables back
every chart (a chart never shows a figure its table does not).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from conductlens.report.terms import CaseType, Proceeding, label

FORMAL = (Proceeding.MISCONDUCT_MEETING, Proceeding.MISCONDUCT_HEARING,
          Proceeding.ACCELERATED_HEARING, Proceeding.REFLECTIVE_PRACTICE, Proceeding.NONE)


@dataclass(frozen=True, slots=True)
class StatTable:
    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def bars(self) -> list[tuple[str, float]]:
        """(label, value) from the last column, for a bar chart."""
        return [(str(r[0]), float(r[-1])) for r in self.rows if r[-1] != ""]


def _proceedings(facts: dict[str, Any]) -> StatTable:
    shown = [p for p in FORMAL if any(p.value in row for row in facts["proceedings"].values())]
    rows = []
    for ct in CaseType:
        row = facts["proceedings"].get(ct.value, {})
        counts = [row.get(p.value, 0) for p in shown]
        rows.append((label(ct.value), *counts, sum(counts)))
    totals = [sum(r[i] for r in rows) for i in range(1, len(shown) + 2)]
    return StatTable("proceedings", "Cases finalised by case type and type of proceeding",
                     ("Case type", *(label(p.value) for p in shown), "Total"),
                     (*rows, ("Total", *totals)))


def _simple(facts: dict[str, Any], key: str, title: str, first: str, value: str
            ) -> StatTable:
    return StatTable(key, title, (first, value),
                     tuple((label(k), n) for k, n in facts[key].items()))


def tables(facts: dict[str, Any], messaging_share: float | None = None) -> list[StatTable]:
    """The key facts of one year as the statistics' tables."""
    out = [
        _proceedings(facts),
        _simple(facts, "findings", "Finding of proceedings", "Finding", "Cases"),
        _simple(facts, "actions", "Disciplinary action (dismissals first)", "Action", "Cases"),
        _simple(facts, "standards", "Standards of Professional Behaviour breached",
                "Standard", "Cases"),
        _simple(facts, "median_days_to_finalise", "Median days to finalise", "Case type",
                "Days"),
        StatTable("hours", "Investigation hours", ("Measure", "Hours"),
                  (("Total", facts["hours"]["total"]),
                   ("Median per case", facts["hours"]["per_case_median"]))),
    ]
    if messaging_share is not None:
        out.append(StatTable("messaging", "Cases with messaging evidence", ("Measure", "%"),
                             (("Share of cases finalised", round(100 * messaging_share, 1)),)))
    return out


def to_csv(year: str, stat_tables: list[StatTable]) -> str:
    """All tables in one CSV: a title line, the header, the rows, a blank line."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in stat_tables:
        writer.writerow([f"{table.title}, {year}"])
        writer.writerow(table.header)
        writer.writerows(table.rows)
        writer.writerow([])
    return out.getvalue()


def to_xlsx(year: str, stat_tables: list[StatTable]) -> bytes:
    """One worksheet per table (openpyxl), titled as the statistics title them."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in stat_tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([f"{table.title}, {year}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
