"""Policy loading: the baseline is valid, bad files name the line, force policies extend it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conductlens.detect.base import PolicyError, Severity
from conductlens.detect.policy import BASELINE, STANDARDS, Policy, load_policy
from conductlens.detect.scan import check_text

REQUIRED = {
    "discrimination-race", "discrimination-religion", "discrimination-sex",
    "discrimination-sexual-orientation", "discrimination-gender-reassignment",
    "discrimination-disability", "discrimination-age", "sexual-harassment",
    "domestic-abuse-endorsement", "violence-and-force", "bullying", "mocking-victims-or-the-dead",
    "personal-data", "police-information", "collusion-and-destroying-evidence", "drugs",
    "profanity",
}  # fmt: skip


def test_baseline_has_every_required_category(baseline: Policy) -> None:
    assert {c.id for c in baseline.categories} >= REQUIRED
    for category in baseline.categories:
        assert set(category.standards) <= set(STANDARDS)
        assert category.examples.positive and category.examples.negative


def test_profanity_is_never_more_than_low(baseline: Policy) -> None:
    findings = check_text(baseline, "you fucking fuck, fuck you sarge")
    # Folded into the abusive-language finding of its family, at its own severity.
    found = [f.severity_for("profanity") for f in findings]
    assert [s for s in found if s is not None] == [Severity.LOW]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "force.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BAD = [
    ("version: 1\nname: x\ncategories: [\n", 4, "invalid YAML"),
    ("version: '1'\nname: x\nextends: baseline\ncategories:\n  - id: c\n    name: c\n"
     "    description: d\n    standards: [Being nice]\n    severity: low\n"
     "    explanation: e\n    detectors: [{kind: lexicon, lexicon: slurs}]\n",
     8, "unknown Standard"),
    ("version: '1'\nname: x\ncategories:\n  - id: c\n    name: c\n    description: d\n"
     "    standards: [Confidentiality]\n    severity: severe\n    explanation: e\n"
     "    detectors: [{kind: pattern, recognisers: [phone]}]\n", 8, "severity"),
    ("version: '1'\nname: x\nsurprise: true\n", 3, "Extra inputs"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "words"), BAD)
def test_bad_policy_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert f"{path}:{line}:" in str(info.value)
    assert words in str(info.value)


FORCE = """\
version: "west-1.0"
name: West Force
extends: baseline
disable: [drugs]
lexicons:
  - {id: slurs, file: extra.txt, masked: true}
categories:
  - id: profanity
    name: Profanity
    description: Swearing.
    standards: ["Authority, respect and courtesy"]
    severity: low
    max_severity: low
    explanation: Swearing.
    detectors: [{kind: lexicon, lexicon: profanity}]
    examples: {positive: ["fuck"], negative: ["hello"]}
"""


def test_force_policy_extends_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "extra.txt").write_text("blorpo | race | force list\n", encoding="utf-8")
    policy = load_policy(_write(tmp_path, FORCE))
    assert policy.version.startswith("west-1.0 (extends uk-baseline")
    assert "drugs" not in {c.id for c in policy.categories}
    findings = check_text(policy, "what a blorpo")
    assert [f.category for f in findings] == ["discrimination-race"]
    assert findings[0].policy_version == policy.version


def test_unknown_lexicon_is_refused(tmp_path: Path) -> None:
    text = FORCE.replace("lexicon: profanity", "lexicon: nowhere")
    (tmp_path / "extra.txt").write_text("", encoding="utf-8")
    with pytest.raises(PolicyError, match="nowhere"):
        load_policy(_write(tmp_path, text))


def test_baseline_path_is_packaged() -> None:
    assert BASELINE.is_file()
