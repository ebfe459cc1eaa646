"""The one CSV formula guard, shared by every export (web and command line)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conductlens.review.access import ShownFinding

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR,
# strips them and then does); "=HYPERLINK(...)" typed as a user name must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def csv_row(row: Mapping[str, object], columns: Iterable[str]) -> dict[str, object]:
    """The ``columns`` of ``row`` with every text cell guarded (numbers and None kept)."""
    return {k: csv_safe(v) if isinstance(v, str) else v for k, v in
            ((k, row[k]) for k in columns)}


def findings_csv(items: Iterable[ShownFinding]) -> str:
    """The findings export: one row per finding, its message as shown (names masked)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["finding", "severity", "category", "standards", "decision",
                     "message", "exhibit", "source", "when", "sender", "text"])
    for f in items:
        m = f.message
        writer.writerow([f.id, f.severity, f.category, "; ".join(f.standards),
                         f.decision or "", m.id, m.exhibit_reference, m.source,
                         m.when.isoformat() if m.when else "", m.sender.label,
                         csv_safe(m.text)])
    return out.getvalue()
