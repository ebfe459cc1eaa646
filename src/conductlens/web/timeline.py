"""A findings-by-day chart as inline SVG, drawn on the server (works offline, no scripts)."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

PALETTE = ("#1f5f8b", "#b5462f", "#3c7a3c", "#7a4b94", "#a06a00", "#4a4a4a", "#0f8a8a",
           "#c2185b", "#6d8f1e", "#5c6bc0", "#8d5524", "#9e9e9e")
WIDTH, HEIGHT, LEFT, BOTTOM = 720, 200, 32, 36
# The legend wraps: three names a row, each room for the longest category name.
LEGEND_PER_ROW, LEGEND_STEP, LEGEND_ROW = 3, 230, 18


def timeline_svg(rows: list[tuple[date, str, int]]) -> str:
    """Stacked bars: one per day from the first to the last finding, coloured by category."""
    if not rows:
        return '<p class="muted">No findings inside the authorised scope.</p>'
    first, last = rows[0][0], rows[-1][0]
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    categories = sorted({c for _, c, _ in rows})
    colour = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(categories)}
    totals: dict[date, int] = {}
    for day, _, n in rows:
        totals[day] = totals.get(day, 0) + n
    top = max(totals.values())
    bar = (WIDTH - LEFT) / len(days)
    rows_of_legend = -(-len(categories) // LEGEND_PER_ROW)
    tall = HEIGHT + 12 + rows_of_legend * LEGEND_ROW
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {tall}" role="img" '
             f'aria-labelledby="tl-title" xmlns="http://www.w3.org/2000/svg">',
             '<title id="tl-title">Findings in scope by day and category</title>']
    stack: dict[date, int] = {}
    for day, category, n in rows:
        x = LEFT + (day - first).days * bar
        h = (HEIGHT - BOTTOM) * n / top
        y = HEIGHT - BOTTOM - (HEIGHT - BOTTOM) * stack.get(day, 0) / top - h
        stack[day] = stack.get(day, 0) + n
        label = escape(f"{day.isoformat()}: {n} {category}")
        parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{colour[category]}"><title>{label}</title></rect>')
    parts += _axes(days, bar, top)
    parts += _legend(categories, colour)
    parts.append("</svg>")
    return "".join(parts)


def _axes(days: list[date], bar: float, top: int) -> list[str]:
    out = [f'<text x="4" y="12" class="axis">{top}</text>',
           f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
           'stroke="#555"/>']
    step = max(1, len(days) // 8)
    for i in range(0, len(days), step):
        x = LEFT + i * bar + bar / 2
        out.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" class="axis" '
                   f'text-anchor="middle">{days[i].strftime("%d %b")}</text>')
    return out


def _legend(categories: list[str], colour: dict[str, str]) -> list[str]:
    out = []
    for i, category in enumerate(categories):
        row, col = divmod(i, LEGEND_PER_ROW)
        x, y = LEFT + col * LEGEND_STEP, HEIGHT + 8 + row * LEGEND_ROW
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" '
                   f'fill="{colour[category]}"/><text x="{x + 16}" y="{y + 10}" '
                   f'class="axis">{escape(category)}</text>')
    return out
