"""Evasion that holds: every trick in the table still gives the finding, with the span on the
original characters; ordinary text with the same characters gives none."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conductlens.detect.masks import MaskIndex
from conductlens.detect.policy import Policy, load_policy
from conductlens.detect.scan import check_text, scanner

RACE, SEX = "discrimination-race", "discrimination-sex"
LGB, DIS = "discrimination-sexual-orientation", "discrimination-disability"
TRANS = "discrimination-gender-reassignment"

MASKED = [  # a mask of k characters stands for k letters, in any position
    ("you n****r", RACE, "n****r"),
    ("n*****", RACE, "n*****"),
    ("ni**er", RACE, "ni**er"),
    ("oi p*ki", RACE, "p*ki"),
    ("*aki", RACE, "*aki"),
    ("pak*", RACE, "pak*"),
    ("what a f_g", LGB, "f_g"),
    ("f.g", LGB, "f.g"),
    ("f__got", LGB, "f__got"),
    ("n#gger", RACE, "n#gger"),
    ("p%ki", RACE, "p%ki"),
    ("r*t*rd", DIS, "r*t*rd"),
    ("tr*nny", TRANS, "tr*nny"),
    ("d*ke", LGB, "d*ke"),
]
PLURALS = [  # the plural ending stays visible
    ("the p*kis are here", RACE, "p*kis"),
    ("p**is", RACE, "p**is"),
    ("p#kis", RACE, "p#kis"),
    ("f_gs", LGB, "f_gs"),
    ("f****ts", LGB, "f****ts"),
    ("r*tards", DIS, "r*tards"),
    ("sl*ts", SEX, "sl*ts"),
    ("n***as", RACE, "n***as"),
]
HOMOGLYPHS = [
    ("nіgger", RACE, "nіgger"),  # Cyrillic і
    ("nιgger", RACE, "nιgger"),  # Greek iota
    ("раki", RACE, "раki"),  # Cyrillic р and а
    ("гetaгd", DIS, "гetaгd"),  # Cyrillic г for r
    ("sIut", SEX, "sIut"),  # capital I for l
    ("Iezza", LGB, "Iezza"),
    ("s1ut", SEX, "s1ut"),
    ("ＦＡＧ", LGB, "ＦＡＧ"),  # full-width
]
INVISIBLE = [
    ("fag\u200bgot", LGB, "fag\u200bgot"),  # zero-width space
    ("ni\u200dgger", RACE, "ni\u200dgger"),  # zero-width joiner
    ("pa\u2060ki", RACE, "pa\u2060ki"),  # word joiner
    ("sl\ufeffut", SEX, "sl\ufeffut"),  # byte-order mark
    (
        "n\u0336i\u0336g\u0336g\u0336e\u0336r\u0336",
        RACE,
        "n\u0336i\u0336g\u0336g\u0336e\u0336r\u0336",
    ),  # strike-through marks  # fmt: skip
]
REPEATED = [
    ("niggggger", RACE, "niggggger"),
    ("faaaaggot", LGB, "faaaaggot"),
    ("paaaakiiii", RACE, "paaaakiiii"),
]
SPACED = [
    ("n i g g e r", RACE, "n i g g e r"),
    ("p a k i s", RACE, "p a k i s"),
    ("n-i-g-g-e-r", RACE, "n-i-g-g-e-r"),
    ("n. i. g. g. e. r", RACE, "n. i. g. g. e. r"),
    ("P.A.K.I.S", RACE, "P.A.K.I.S"),
    ("f'ag", LGB, "f'ag"),
    ("r.e.t.a.r.d", DIS, "r.e.t.a.r.d"),
]
SYMBOLS = [  # $ for s, @ for a, digits for letters
    ("$lut", SEX, "$lut"),
    ("$pa$tic", DIS, "$pa$tic"),
    ("tr@nnie", TRANS, "tr@nnie"),
    ("n1gg3r", RACE, "n1gg3r"),
]
EMOJI = [
    ("🐒🍌", RACE, "🐒🍌"),
    ("send him 🍌🐒🐒", RACE, "🍌🐒"),
    ("🦍 🍌", RACE, "🦍 🍌"),
]
TABLE = MASKED + PLURALS + HOMOGLYPHS + INVISIBLE + REPEATED + SPACED + SYMBOLS + EMOJI


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.mark.parametrize(("text", "category", "original"), TABLE)
def test_evasion_still_found_with_span_on_original(
    policy: Policy, text: str, category: str, original: str
) -> None:
    found = {f.category: f for f in check_text(policy, text)}
    assert category in found, f"{text!r}: {sorted(found)}"
    assert [text[a:b] for a, b in found[category].spans] == [original]


ORDINARY = [
    "meet at 4.5 miles past the junction",
    "45% of calls were about noise",
    "#art trail in the park",
    "see *is* in bold",
    "e.g. the van, i.e. the old one",
    "report in img_2034.jpg and file_name.txt",
    "contact j.smith@met.police.uk or www.met.police.uk",
    "sgt.Smith said 5* job",
    "it was s*** weather",  # could be several words of several kinds: no guess
    "c*** knows",
    "😂🙈 sorry wrong chat",
    "a monkey with a banana at the zoo",
    "sorry, the f.a.q. is at p.m. briefing",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_with_mask_characters_is_not_a_slur(policy: Policy, text: str) -> None:
    found = [f.category for f in check_text(policy, text) if f.category.startswith("discrim")]
    assert found == []


@functools.cache
def _masks() -> MaskIndex:
    return scanner(load_policy()).lexicon.masks


@settings(deadline=None)  # the first example builds the scanner
@given(st.text(alphabet="abcdefgiknoprstuz*_.#%\u0336 ", max_size=40))
def test_masked_spans_stay_inside_the_text(text: str) -> None:
    masks = _masks()
    for (start, end), entries in masks.find(text):
        assert 0 <= start < end <= len(text) and entries
