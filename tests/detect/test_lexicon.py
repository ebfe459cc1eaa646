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
