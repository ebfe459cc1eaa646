"""The country and each force, side by side, from the imported aggregates of one year.

A suppressed cell stays unknown: a country figure that includes one reads ``at least n``
(``Figure.suppressed`` counts the cells behind it), never a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from conductlens.store.tables_report import aggregate_imports

# (column heading, table, row label, column label) shown for each force.
COLUMNS = (
    ("Cases finalised", "proceedings", "Total", "Total"),
    ("Misconduct meetings", "proceedings", "Total", "misconduct_meeting"),
    ("Misconduct hearings", "proceedings", "Total", "misconduct_hearing"),
    ("Accelerated hearings", "proceedings", "Total", "accelerated_hearing"),
    ("Gross misconduct found", "findings", "Cases", "gross_misconduct"),
    ("Dismissals without notice", "actions", "Cases", "dismissal_without_notice"),
    ("Would have been dismissed", "actions", "Cases", "would_have_been_dismissed"),
)


@dataclass(frozen=True, slots=True)
class Figure:
    known: int
    suppressed: int = 0

    def __str__(self) -> str:
        return f"at least {self.known:,}" if self.suppressed else f"{self.known:,}"


@dataclass(frozen=True, slots=True)
class NationalView:
    year: str
    headings: tuple[str, ...]
    forces: tuple[tuple[str, tuple[Figure, ...]], ...]
    country: tuple[Figure, ...]


def _cell(table: dict[str, Any], row: str, col: str) -> Figure:
    value = table["cells"][table["rows"].index(row)][table["columns"].index(col)]
    return Figure(0, 1) if value == "[c]" else Figure(int(value))


def national_view(conn: Connection, year: str) -> NationalView:
    """Each force's figures for ``year`` and the country's sums."""
    rows = conn.execute(select(aggregate_imports.c.force, aggregate_imports.c.payload)
                        .where(aggregate_imports.c.year == year)
                        .order_by(aggregate_imports.c.force)).all()
    forces = []
    for force, payload in rows:
        tables = json.loads(payload)["aggregate"]["tables"]
        forces.append((str(force), tuple(_cell(tables[t], r, c) for _, t, r, c in COLUMNS)))
    country = tuple(Figure(sum(f[i].known for _, f in forces),
                           sum(f[i].suppressed for _, f in forces))
                    for i in range(len(COLUMNS)))
    return NationalView(year, tuple(h for h, *_ in COLUMNS), tuple(forces), country)


def years_imported(conn: Connection) -> list[str]:
    return sorted(set(conn.scalars(select(aggregate_imports.c.year))), reverse=True)
