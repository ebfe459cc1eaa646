"""The pictures are SVG text with every label escaped."""

from __future__ import annotations

from conductlens.dynamics.evidence import Edge, participation
from conductlens.dynamics.flow import Flow
from conductlens.dynamics.membership import Roster
from conductlens.dynamics.svg import membership_svg, network_svg


def test_membership_timeline_draws_every_member(flow: Flow, roster: Roster) -> None:
    labels = {m: f"<b>{n}</b>" for n, m in enumerate(roster.members)}
    svg = membership_svg(flow, roster, labels, [], {})
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<b>" not in svg and "&lt;b&gt;0&lt;/b&gt;" in svg
    assert svg.count("<rect") == len(roster.intervals)


def test_network_lines_are_weighted_and_escaped() -> None:
    svg = network_svg({1: "A & B", 2: "C"}, [Edge(1, 2, "reply", 3), Edge(2, 1, "reaction", 1)])
    assert svg.count("<line") == 2 and "A &amp; B" in svg
    assert 'stroke-width="4.50"' in svg


def test_text_exports_have_no_edges(flow: Flow, roster: Roster) -> None:
    assert participation(flow, roster, []) == []
    assert "No replies" in network_svg({}, [])
