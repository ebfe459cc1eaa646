"""The one CSV formula guard, shared by every export (web and command line)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
