"""Lexicon files: parsed with line-numbered errors; matching defeats evasion, spans are exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from conductlens.detect.base import PolicyError
from conductlens.detect.lexicon import Lexicon, read_lexicon


@pytest.fixture
def lexicon(tmp_path: Path) -> Lexicon:
    path = tmp_path / "words.txt"
    path.write_text(
        "# test lexicon\nnigger | race | test | except=niger\nfaggot | lgb | test\n"
        "paki | race | test\nget our stories straight | collusion | test\n",
        encoding="utf-8",
    )
    return Lexicon.build("lexicon:test@1", [(read_lexicon("words", path), True, True)])


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("you n1gg3r", "n1gg3r"),
        ("total F A G G O T", "F A G G O T"),
        ("f*ggot", "f*ggot"),
        ("what a p**i", "p**i"),
        ("pakis everywhere", "pakis"),
        ("lets GET our st0ries STRAIGHT", "GET our st0ries STRAIGHT"),
    ],
)
def test_match_and_span(lexicon: Lexicon, text: str, matched: str) -> None:
    hits = list(lexicon.detect([text]))
    assert [text[a:b] for hit in hits for a, b in hit.spans] == [matched]


@pytest.mark.parametrize("text", ["flights to Niger", "pakistan cricket", "the fagot was lit"])
def test_no_match(lexicon: Lexicon, text: str) -> None:
    hits = list(lexicon.detect([text]))
    assert [h.detail for h in hits if "faggot" not in h.detail] == []


def test_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("# ok\nword | tag | source\nno separators here\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"bad\.txt:3:"):
        read_lexicon("bad", path)


def test_every_shipped_entry_has_a_source() -> None:
    folder = Path(__file__).parents[2] / "src" / "conductlens" / "detect" / "policies" / "lexicons"
    for path in sorted(folder.glob("*.txt")):
        for entry in read_lexicon(path.stem, path):
            assert entry.source, f"{path}:{entry.line}"


@pytest.fixture(scope="module")
def shipped() -> Lexicon:
    from conductlens.detect.policy import load_policy
    from conductlens.detect.scan import scanner

    return scanner(load_policy()).lexicon


def _terms(lexicon: Lexicon, text: str) -> set[str]:
    return {hit.detail.split(" (")[0].strip("'") for hit in lexicon.detect([text])}


# Collapsing repeated letters folds "weed" and "Wed" alike; a message with fewer of a letter
# than the term is another word, and must not match it.
FEWER_LETTERS = [
    ("Wed", "weed"),
    ("see you wed 3rd", "weed"),
    ("shot on goal", "shoot"),
    ("finish the report", "finnish"),
    ("its a con", "coon"),
    ("as if", "ass"),
    ("take a pic of here", "off here"),
    ("the camera of the van", "camera off"),
    ("the pils", "pills"),
    ("pised", "pissed"),
]


@pytest.mark.parametrize(("text", "term"), FEWER_LETTERS)
def test_fewer_letters_than_the_term_do_not_match(shipped: Lexicon, text: str, term: str) -> None:
    assert term not in _terms(shipped, text)


MORE_LETTERS = [  # a repeated letter in the message still folds to the term
    ("weeeed", "weed"),
    ("WEED", "weed"),
    ("w33d", "weed"),
    ("w e e d", "weed"),
    ("shooooot him", "shoot"),
    ("cooooon", "coon"),
    ("niggggger", "nigger"),
    ("keep it offff here", "off here"),
    ("pissssed", "pissed"),
]


@pytest.mark.parametrize(("text", "term"), MORE_LETTERS)
def test_more_letters_than_the_term_still_match(shipped: Lexicon, text: str, term: str) -> None:
    assert term in _terms(shipped, text)


def test_a_misspelling_lexicon_still_takes_a_dropped_letter(shipped: Lexicon) -> None:
    # The slurs lexicon matches misspellings on purpose: a 6-letter word less one letter.
    assert "faggot" in _terms(shipped, "what a fagot")
