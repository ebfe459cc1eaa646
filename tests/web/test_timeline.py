"""The findings-by-day chart: every category in its legend, none drawn over another."""

from __future__ import annotations

import re
from datetime import date

from conductlens.web.timeline import LEGEND_PER_ROW, LEGEND_STEP, WIDTH, timeline_svg

CHAR = 6.2  # width of one character of the 11px axis font, generously

CATEGORIES = ["abusive-language", "bullying", "collusion-and-destroying-evidence",
              "discrimination-age", "discrimination-race", "discrimination-religion",
              "discrimination-sex", "discrimination-sexual-orientation",
              "domestic-abuse-endorsement", "drugs", "mocking-victims-or-the-dead",
              "personal-data", "police-information", "sexual-harassment",
              "violence-and-force"]


def test_a_long_legend_wraps_inside_the_chart() -> None:
    rows = [(date(2026, 3, 2 + i % 20), c, 1) for i, c in enumerate(CATEGORIES)]
    svg = timeline_svg(sorted(rows))
    height = float(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))  # type: ignore[union-attr]
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" class="axis">([a-z-]+)</text>', svg)
    shown = {name: (float(x), float(y)) for x, y, name in labels if name in CATEGORIES}
    assert set(shown) == set(CATEGORIES)
    longest = max(len(c) for c in CATEGORIES) * CHAR  # room each name needs
    assert longest + 16 <= LEGEND_STEP
    assert all(x + len(name) * CHAR <= WIDTH and y <= height for name, (x, y) in shown.items())
    assert len({y for _, y in shown.values()}) == -(-len(CATEGORIES) // LEGEND_PER_ROW)
    colours = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="12" height="12" fill="(#\w+)"', svg)
    assert len(set(colours)) == len(colours) - 3  # 15 names, 12 colours
