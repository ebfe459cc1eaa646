"""Pictures of a group, drawn on the server as SVG text (no scripts, no CDN): a membership
timeline with the incidents and each member's response, and a participation network.

Both return a string, so the web UI inlines them and a bundle can embed them as they are.
Every label is escaped; callers pass the labels to show (pseudonyms for bystanders).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from conductlens.dynamics.evidence import Edge
from conductlens.dynamics.flow import Flow
from conductlens.dynamics.membership import Roster

WIDTH, ROW, LEFT, TOP = 760, 18, 150, 24
COLOURS = {"endorsed": "#b5462f", "challenged": "#3c7a3c", "neutral": "#7a7a7a",
           "silent": "#ffffff", "sender": "#111111"}
BAR = {"recorded": "#1f5f8b", "posted": "#5b8db3", "assumed": "#a9c3d8"}


def _clock(flow: Flow) -> tuple[list[float], list[datetime]]:
    pairs = [(float(p.seq), p.when) for p in flow.posts if p.when is not None]
    return [s for s, _ in pairs], [w for _, w in pairs]


def _x(position: float | None, seqs: list[float], times: list[datetime],
       span: tuple[datetime, datetime]) -> float:
    if position is None or not times:
        return float(WIDTH - 10)
    at = times[max(bisect_right(seqs, position) - 1, 0)]
    total = (span[1] - span[0]).total_seconds() or 1.0
    share = min(max((at - span[0]).total_seconds() / total, 0.0), 1.0)
    return LEFT + (WIDTH - LEFT - 10) * share


def membership_svg(flow: Flow, roster: Roster, labels: Mapping[int, str],
                   incidents: Sequence[Any], identities: Mapping[int, str],
                   span: tuple[datetime, datetime] | None = None) -> str:
    """Rows of members with their intervals; a line per incident, a dot per response.

    ``incidents`` are shown responses (``message_id``, ``sender``, ``groups``); ``identities``
    maps a member to the identity their ``DisplayName`` carries; ``span`` limits the time
    axis (the scope's days), else it runs from the first message to the last."""
    seqs, times = _clock(flow)
    if not times:
        return '<p class="muted">No dated messages to draw.</p>'
    span = span or (times[0], times[-1])
    order = sorted(roster.members, key=lambda m: (min(
        (i.start for i in roster.intervals if i.member == m), default=0.0), labels[m]))
    row = {m: TOP + n * ROW for n, m in enumerate(order)}
    height = TOP + ROW * len(order) + 24
    parts = [f'<svg class="membership" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>Membership over time, '
             f'{escape(flow.title)}</title>',
             f'<text x="{LEFT}" y="14" font-size="11">{escape(span[0].date().isoformat())}'
             f'</text><text x="{WIDTH - 10}" y="14" font-size="11" text-anchor="end">'
             f'{escape(span[1].date().isoformat())}</text>']
    for m in order:
        parts.append(f'<text x="{LEFT - 6}" y="{row[m] + 12}" font-size="11" '
                     f'text-anchor="end">{escape(labels[m])}</text>')
    for i in roster.intervals:
        x0, x1 = _x(i.start, seqs, times, span), _x(i.end, seqs, times, span)
        tip = escape(f"{labels[i.member]}: {i.confidence} from {i.start_source}"
                     f"{' to ' + i.end_source if i.end_source else ''}")
        parts.append(f'<rect x="{x0:.1f}" y="{row[i.member] + 3}" width="{max(x1 - x0, 1):.1f}"'
                     f' height="{ROW - 6}" fill="{BAR[i.confidence]}"><title>{tip}</title>'
                     f'</rect>')
    parts += [_incident(s, seqs, times, span, row, flow, height, identities) for s in incidents]
    parts.append("</svg>")
    return "".join(parts)


def _incident(shown: Any, seqs: list[float], times: list[datetime],
              span: tuple[datetime, datetime], row: Mapping[int, int], flow: Flow,
              height: int, identities: Mapping[int, str]) -> str:
    post = flow.posts[flow.index_of(shown.message_id)]
    x = _x(float(post.seq), seqs, times, span)
    out = [f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{height - 20}" stroke="#999" '
           f'stroke-dasharray="2,2"><title>message {shown.message_id}</title></line>']
    by_label = {who.identity: label for label, people in shown.groups.items()
                if label != "left" for who in people}
    by_label[shown.sender.identity] = "sender"
    for member, y in row.items():
        label = by_label.get(identities.get(member, ""))
        if label is not None:
            out.append(f'<circle cx="{x:.1f}" cy="{y + ROW / 2:.1f}" r="4" '
                       f'fill="{COLOURS[label]}" stroke="#333"><title>'
                       f'{escape(label)}, message {shown.message_id}</title></circle>')
    return "".join(out)


def network_svg(labels: Mapping[int, str], edges: Sequence[Edge]) -> str:
    """Members on a circle; a line from who replied or reacted to whom, thicker when often."""
    nodes = sorted({e.source for e in edges} | {e.target for e in edges},
                   key=lambda m: labels.get(m, ""))
    if not nodes:
        return '<p class="muted">No replies or reactions between members.</p>'
    size, radius = 520, 200
    at = {m: (size / 2 + radius * math.cos(2 * math.pi * n / len(nodes)),
              size / 2 + radius * math.sin(2 * math.pi * n / len(nodes)))
          for n, m in enumerate(nodes)}
    top = max(e.count for e in edges)
    parts = [f'<svg class="network" viewBox="0 0 {size} {size}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>Who replies to and reacts to whom'
             f'</title>']
    for e in edges:
        (x1, y1), (x2, y2) = at[e.source], at[e.target]
        colour = "#1f5f8b" if e.kind == "reply" else "#a06a00"
        tip = escape(f"{labels.get(e.source, '?')} {e.kind} to {labels.get(e.target, '?')}: "
                     f"{e.count}")
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke="{colour}" stroke-opacity="0.5" '
                     f'stroke-width="{0.5 + 4 * e.count / top:.2f}"><title>{tip}</title></line>')
    for m, (x, y) in at.items():
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#333"/>'
                     f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="10" text-anchor="middle">'
                     f'{escape(labels.get(m, "?"))}</text>')
    parts.append("</svg>")
    return "".join(parts)
