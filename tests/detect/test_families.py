"""One finding per message per category family, with nothing lost from the others."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.detect.base import Explanation, Finding, Severity
from conductlens.detect.families import family_of, one_per_family
from conductlens.detect.policy import Policy
from conductlens.detect.scan import check_text


def _finding(category: str, severity: Severity, score: float, spans: tuple[tuple[int, int], ...],
             standards: tuple[str, ...] = ("Equality and diversity",)) -> Finding:
    return Finding("m1", category, standards, severity, score, f"det:{category}", spans,
                   Explanation(f"{category} summary.", (f"{category} evidence",), ()), "v1")


FAMILY = {"race": "discrimination", "religion": "discrimination", "sex": "discrimination",
          "drugs": "drugs"}
NAMES = {"race": "Race", "religion": "Religion", "sex": "Sex", "drugs": "Drugs"}


@pytest.mark.parametrize(
    ("members", "kept"),
    [
        ([("race", Severity.MEDIUM, 0.9), ("religion", Severity.HIGH, 0.6)], "religion"),
        ([("race", Severity.HIGH, 0.7), ("religion", Severity.HIGH, 0.9)], "religion"),
        ([("race", Severity.HIGH, 0.9), ("religion", Severity.HIGH, 0.9)], "race"),
        ([("sex", Severity.LOW, 1.0), ("religion", Severity.MEDIUM, 0.5)], "religion"),
    ],
)
def test_highest_severity_then_score_then_policy_order(
    members: list[tuple[str, Severity, float]], kept: str
) -> None:
    findings = [_finding(c, s, x, ((i, i + 1),)) for i, (c, s, x) in enumerate(members)]
    (merged,) = one_per_family(findings, FAMILY, NAMES)
    assert merged.category == kept
    assert merged.spans == tuple((i, i + 1) for i in range(len(members)))
    others = [(c, s) for c, s, _ in members if c != kept]
    assert list(merged.merged) == others
    for category, severity in others:
        assert merged.severity_for(category) == severity
        assert f"Also {NAMES[category]} ({severity.label}" in merged.explanation.render()
        assert f"{category} evidence" in merged.explanation.render()


def test_other_families_are_kept_apart_in_policy_order() -> None:
    findings = [_finding("drugs", Severity.MEDIUM, 1.0, ((9, 12),), ("Fitness for duty",)),
                _finding("race", Severity.HIGH, 1.0, ((0, 4),)),
                _finding("sex", Severity.MEDIUM, 0.8, ((5, 8),), ("Discreditable conduct",))]
    kept = one_per_family(findings, FAMILY, NAMES)
    assert [f.category for f in kept] == ["race", "drugs"]
    race = kept[0]
    assert race.standards == ("Equality and diversity", "Discreditable conduct")
    assert kept[1] == findings[0]  # a family of one is untouched


def test_baseline_families(baseline: Policy) -> None:
    family = family_of(baseline.categories)
    assert {c for c, f in family.items() if f == "discrimination"} == {
        c.id for c in baseline.categories if c.id.startswith("discrimination-")}
    assert family["personal-data"] == family["police-information"] == "disclosure"
    assert family["profanity"] == family["abusive-language"] == "language"
    assert family["drugs"] == "drugs" and family["bullying"] == "bullying"


MIXED = "That shop is run by a load of p4kis, muzzies the lot of them"


def test_one_discrimination_finding_keeps_both_slurs(baseline: Policy) -> None:
    findings = check_text(baseline, MIXED)
    per_family = Counter(family_of(baseline.categories)[f.category] for f in findings)
    assert per_family["discrimination"] == 1
    (finding,) = [f for f in findings if f.category.startswith("discrimination-")]
    assert {MIXED[a:b] for a, b in finding.spans} >= {"p4kis", "muzzies"}
    assert finding.severity_for("discrimination-race") == Severity.HIGH
    assert finding.severity_for("discrimination-religion") == Severity.HIGH
    assert "Also Discrimination: Religion or belief" in finding.explanation.render()


def test_check_json_contract_unchanged() -> None:
    result = CliRunner().invoke(app, ["check", "--json", "-"], input=MIXED + "\nhello\n")
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first) == {"text", "findings"} and first["text"] == MIXED
    assert second == {"text": "hello", "findings": []}
    for finding in first["findings"]:
        assert set(finding) == {"category", "standards", "severity", "score", "spans",
                                "explanation"}
        assert all(isinstance(span, list) and len(span) == 2 for span in finding["spans"])
    categories = [f["category"] for f in first["findings"]]
    assert sum(c.startswith("discrimination-") for c in categories) == 1
