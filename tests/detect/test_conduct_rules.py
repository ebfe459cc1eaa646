"""The co-occurrence conduct rules: each needs both of its cues, and context still applies.

Sentences here are written for the tests (not taken from the demo or any dataset). The rules
are the lexicon tier's, so the one-cue messages are checked without the conduct model (which
reads wording, not cues); the two-cue messages must be found by the full policy too.
"""

from __future__ import annotations

import pytest

from conductlens.detect.base import Severity
from conductlens.detect.evaluate_register import previous_release
from conductlens.detect.policy import Policy
from conductlens.detect.scan import check_text

# (category, message with both cues, the same topic with only one cue)
PAIRS = [
    (
        "violence-and-force",
        "Sprayed him for a laugh once he was already in cuffs",
        "Sprayed him once when he came at me with a bottle, force form done",
    ),
    (
        "violence-and-force",
        "Camera was off so he got a few slaps in the cell",
        "Camera was off in the interview room, tech booked to fix it",
    ),
    (
        "collusion-and-destroying-evidence",
        "Not a word to PSD about Friday, calls only",
        "Not a word to the sarge about the cake, it's a surprise",
    ),
    (
        "mocking-victims-or-the-dead",
        "Hanging in the woods, he was like roadkill by the time we got there",
        "Roadkill on the bypass, deer in lane one, highways informed",
    ),
    (
        "mocking-victims-or-the-dead",
        "Found dead in his flat 🤣",
        "Found dead in his flat, no suspicious circumstances, coroner informed",
    ),
    (
        "sexual-harassment",
        "Sexual assault report from the club, she regrets it now",
        "Sexual assault report from the club, ABE booked for tomorrow",
    ),
    (
        "drugs",
        "Pocketed a bit of the skunk from the car search",
        "Skunk found in the car search, booked into property",
    ),
    (
        "police-information",
        "Crime ref CRI/26/000777, the footballer's brother, screenshot below",
        "Crime ref CRI/26/000777 updated with the witness statement",
    ),
    (
        "discrimination-religion",
        "Her in the niqab looked like a bin bag",
        "Niqab-wearing witness needs a female officer for the ID",
    ),
    (
        "discrimination-sexual-orientation",
        "Gay pride on the telly again 🤢",
        "Gay pride road closures on Saturday from 10:00",
    ),
]


def _severity(policy: Policy, category: str, text: str) -> Severity | None:
    found = [f.severity for f in check_text(policy, text) if f.category == category]
    return max(found, default=None)


@pytest.mark.parametrize(("category", "both", "one"), PAIRS)
def test_rule_needs_both_cues(baseline: Policy, category: str, both: str, one: str) -> None:
    rules = previous_release(baseline)
    for policy in (rules, baseline):
        got = _severity(policy, category, both)
        assert got is not None and got >= Severity.MEDIUM, both
    alone = _severity(rules, category, one)
    assert alone is None or alone < Severity.MEDIUM, one


def test_laughing_at_a_reported_incident_is_not_lowered(baseline: Policy) -> None:
    plain = "Suspect had a turban on, asked him to take his tea towel off"
    laughing = plain + " 😂"
    assert _severity(baseline, "discrimination-religion", plain) == Severity.LOW
    assert _severity(baseline, "discrimination-religion", laughing) == Severity.MEDIUM


def test_a_quoted_slur_is_lowered_even_with_laughter(baseline: Policy) -> None:
    text = "He kept calling the bus driver a 'paki' 😂 arrested for s5"
    got = _severity(baseline, "discrimination-race", text)
    assert got is not None and got < Severity.HIGH


def test_the_word_statement_alone_does_not_lower_collusion(baseline: Policy) -> None:
    text = "Let's get our stories straight before we write the statements"
    assert _severity(baseline, "collusion-and-destroying-evidence", text) == Severity.HIGH
