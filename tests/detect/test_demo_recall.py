"""The baseline finds the demo shift group's planted misconduct and leaves its hard negatives.

The figures in docs/detection.md ("Planted incidents (demo)") come from bench/demo_recall.py;
this test asserts floors a little under them, so a lexicon change that loses planted incidents
fails here. The demo's sentences are never copied into the lexicons: the rules are general
conduct patterns (see docs/detection.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conductlens.demo import generate_demo
from conductlens.detect.base import Severity
from conductlens.detect.policy import Policy
from conductlens.detect.scan import scan_batch

RECALL_FLOOR = 0.9
HARD_NEGATIVES_CEILING = 1 / 14


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = generate_demo(Path(tmp_path_factory.mktemp("demo")))
    data: dict[str, Any] = json.loads(files.ground_truth.read_text(encoding="utf-8"))
    return data


def _flagged(policy: Policy, texts: list[str]) -> set[int]:
    findings = scan_batch(policy, [(str(i), t) for i, t in enumerate(texts)])
    return {int(f.message_id) for f in findings if f.severity >= Severity.MEDIUM}


def test_planted_medium_and_high_incidents_are_found(
    baseline: Policy, truth: dict[str, Any]
) -> None:
    texts = [i["text"] for i in truth["incidents"] if i["severity"] in ("medium", "high")]
    assert len(texts) >= 40
    recall = len(_flagged(baseline, texts)) / len(texts)
    assert recall >= RECALL_FLOOR, f"demo recall {recall:.3f}"


def test_hard_negatives_are_rarely_flagged(baseline: Policy, truth: dict[str, Any]) -> None:
    texts = [n["text"] for n in truth["hard_negatives"]]
    assert texts
    assert len(_flagged(baseline, texts)) / len(texts) <= HARD_NEGATIVES_CEILING
