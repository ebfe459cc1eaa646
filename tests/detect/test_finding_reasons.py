"""Every finding names why: its words are highlighted, or its explanation says why none are."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from conductlens.cli.detect import register
from conductlens.detect.evaluate_register import previous_release
from conductlens.detect.policy import load_policy
from conductlens.detect.scan import check_text

NONE_DROVE = "no single word drove the score"
MESSAGES = [
    "you are a useless fat slag",
    "Wed",
    "Robbed",
    "Did anyone watch the match last night? Robbed",
    "as soon as you can",
    "what a fagot",
    "niggggger",
    "weeeed tonight?",
    "those immigrants are vermin",
    "women are useless at driving",
    "muslims are all the same, send them back",
    "Immigrants should go back where they came from",  # the semantic stage's, no keyword
    "Women should stay in the kitchen where they belong",  # the hate classifier's
    'he said "you fat slag" to her',
    "delete this chat before PSD, you f*g",
    "fucking hell the van is late",
    "you muppet",
    "send him 🍌🐒🐒",
    "call me on 07911 123456 about the job",
    "god help us, pot of tea and a bum bag",
    "shot on goal, what a finish",
    "slag slag slag slag slag",
    "the van is at the nick",
]


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["check", "-", "--json"], input="\n".join(MESSAGES) + "\n")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _findings(records: list[dict[str, Any]], text: str) -> dict[str, dict[str, Any]]:
    (record,) = [r for r in records if r["text"] == text]
    return {f["category"]: f for f in record["findings"]}


def test_every_finding_has_spans_or_says_why_not(records: list[dict[str, Any]]) -> None:
    assert [r["text"] for r in records] == MESSAGES
    findings = [(r["text"], f) for r in records for f in r["findings"]]
    assert len(findings) > 10
    for text, finding in findings:
        assert finding["spans"] or NONE_DROVE in finding["explanation"], (text, finding)
        assert all(0 <= a < b <= len(text) for a, b in finding["spans"]), (text, finding)


def test_a_classifier_finding_highlights_the_words_that_drove_it(
    records: list[dict[str, Any]],
) -> None:
    text = "you are a useless fat slag"
    kept = _findings(records, text)["abusive-language"]  # the conduct model's, in the baseline
    assert [text[a:b] for a, b in kept["spans"]] == ["slag"], kept
    # The n-gram classifier's own finding, read without the conduct model that outscores it.
    (abusive,) = [f for f in check_text(previous_release(load_policy()), text)
                  if f.category == "abusive-language"]
    words = [text[a:b] for a, b in abusive.spans]
    assert words and set(words) <= set(text.split())
    assert abusive.detector.startswith("classifier:")
    assert "words that drove the score: " + repr(words[0]) in abusive.explanation.render()


def test_a_semantic_finding_highlights_the_words_that_drove_it(
    records: list[dict[str, Any]],
) -> None:
    text = "Immigrants should go back where they came from"
    race = _findings(records, text)["discrimination-race"]
    assert "semantic model scored" in race["explanation"]
    assert "words that drove the score: " in race["explanation"]
    assert len(race["spans"]) > 1  # the group named, and the words the model read


def test_everyday_words_are_not_lexicon_terms_spelt_short(records: list[dict[str, Any]]) -> None:
    assert "drugs" not in _findings(records, "Wed")
    assert _findings(records, "weeeed tonight?")["drugs"]["spans"] == [[0, 6]]
    assert _findings(records, "god help us, pot of tea and a bum bag") == {}
