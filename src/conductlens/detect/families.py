"""One finding per message per category family.

Categories that describe one kind of misconduct seen from different angles (the seven
discrimination categories, the two kinds of disclosure, swearing and abusive language) share a
``family`` in the policy. A message that engages several of them gives one finding: the most
severe, then the highest scoring, then the first in policy order. Nothing is lost: the others'
spans are added to its spans, their Standards to its Standards, and their evidence to its
explanation ("Also ..."), and ``Finding.merged`` keeps their categories and severities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from conductlens.detect.base import Finding, Span
from conductlens.detect.policy import Category


def family_of(categories: Iterable[Category]) -> dict[str, str]:
    """Category id -> family (a category without one is a family of its own)."""
    return {c.id: c.family or c.id for c in categories}


def _rank(finding: Finding, order: Mapping[str, int]) -> tuple[int, float, int]:
    # Sorted ascending, so the strongest comes first: severity, then score, then policy order.
    return (-int(finding.severity), -finding.score, order.get(finding.category, len(order)))


def _also(finding: Finding, names: Mapping[str, str]) -> str:
    name = names.get(finding.category, finding.category)
    parts = [f"Also {name} ({finding.severity.label}, score {finding.score:.2f})"]
    if finding.explanation.evidence:
        parts.append("matched: " + "; ".join(finding.explanation.evidence))
    text = ", ".join(parts) + "."
    return " ".join([text, *finding.explanation.context])


def _merge(kept: Finding, others: Sequence[Finding], names: Mapping[str, str]) -> Finding:
    spans: tuple[Span, ...] = tuple(sorted({s for f in (kept, *others) for s in f.spans}))
    standards = tuple(dict.fromkeys(s for f in (kept, *others) for s in f.standards))
    also = tuple(_also(f, names) for f in others)
    return replace(
        kept,
        standards=standards,
        spans=spans,
        explanation=replace(kept.explanation, also=kept.explanation.also + also),
        merged=kept.merged + tuple((f.category, f.severity) for f in others),
    )


def one_per_family(
    findings: Sequence[Finding], family: Mapping[str, str], names: Mapping[str, str]
) -> list[Finding]:
    """``findings`` of one message with each family's folded into its strongest one, in
    policy order of the findings kept (``family``: category id -> family; ``names``: category
    id -> its name, for the explanation)."""
    order = {category: position for position, category in enumerate(family)}
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(family.get(finding.category, finding.category), []).append(finding)
    kept = []
    for members in groups.values():
        ranked = sorted(members, key=lambda f: _rank(f, order))
        kept.append(_merge(ranked[0], ranked[1:], names) if len(ranked) > 1 else ranked[0])
    return sorted(kept, key=lambda f: order.get(f.category, len(order)))
