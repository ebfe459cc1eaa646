"""Statistical disclosure control for the national aggregate: primary and secondary suppression.

A table is a grid of counts with its row totals, column totals and grand total published
(a one-dimensional table is one row). Primary: any count from 1 to ``threshold - 1`` is
suppressed. Secondary: every *line* (a row with its total, a column with its total, and the
totals themselves) is an equation ``sum(cells) == total``, so a line with exactly one suppressed
entry would give it away; the smallest other non-zero entry of that line is suppressed too
(its total when nothing else is left), until no line has exactly one. Zeros are published.
"""

from __future__ import annotations

from collections.abc import Iterator

Cell = tuple[int, int]
SUPPRESSED = "[c]"  # the Office for National Statistics' marker for a confidential cell


def with_totals(grid: list[list[int]]) -> list[list[int]]:
    """``grid`` with a total column and (for more than one row) a total row added."""
    rows = [[*row, sum(row)] for row in grid]
    if len(rows) == 1:
        return rows
    return [*rows, [sum(col) for col in zip(*rows, strict=True)]]


def _lines(n_rows: int, n_cols: int) -> Iterator[list[Cell]]:
    for r in range(n_rows):
        yield [(r, c) for c in range(n_cols)]
    if n_rows > 1:
        for c in range(n_cols):
            yield [(r, c) for r in range(n_rows)]


def suppress(full: list[list[int]], threshold: int = 5) -> set[Cell]:
    """The cells of ``full`` (a grid *with* its totals, see ``with_totals``) to suppress."""
    hidden = {(r, c) for r, row in enumerate(full) for c, v in enumerate(row)
              if 0 < v < threshold}
    lines = list(_lines(len(full), len(full[0]) if full else 0))
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            candidates = [cell for cell in line if cell not in hidden
                          and full[cell[0]][cell[1]] > 0]
            # Prefer an inner cell over the line's total (the last entry of every line).
            inner = candidates[:-1] if candidates and candidates[-1] == line[-1] else candidates
            pick = min(inner or candidates, key=lambda cell: full[cell[0]][cell[1]],
                       default=None)
            if pick is None:  # nothing left to hide with it: the line's entries are all zero
                continue
            hidden.add(pick)
            changed = True
    return hidden


def published(full: list[list[int]], hidden: set[Cell]) -> list[list[int | str]]:
    """``full`` with the hidden cells replaced by the suppression marker."""
    return [[SUPPRESSED if (r, c) in hidden else v for c, v in enumerate(row)]
            for r, row in enumerate(full)]
