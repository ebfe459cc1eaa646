"""The JSON shape of a finding that ``check --json`` and ``serve-check`` share (fixed keys)."""

from __future__ import annotations

from typing import Any

from conductlens.detect.base import Finding


def finding_json(finding: Finding) -> dict[str, Any]:
    """The ``check --json`` contract for one finding (keys and value shapes are fixed)."""
    return {
        "category": finding.category,
        "standards": list(finding.standards),
        "severity": finding.severity.label,
        "score": finding.score,
        "spans": [[start, end] for start, end in finding.spans],
        "explanation": finding.explanation.render(),
    }
