"""Occlusion: the words whose removal drops a model's score are its spans, found in one call."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from conductlens.detect.occlusion import MAX_SPANS, MAX_WORDS, drove, occlude

WEIGHTS = {"useless": 0.3, "slag": 0.4, "fat": 0.15, "muppet": 0.25, "idiot": 0.22, "a": 0.01}


class Scorer:
    """A toy model: a base rate plus each bad word's weight (unbounded, so that no
    word's drop is hidden); counts its calls."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([self.one(t) for t in texts])

    @staticmethod
    def one(text: str) -> float:
        words = [w.strip(",.!?").lower() for w in text.split()]
        return 0.1 + sum(WEIGHTS.get(w, 0.0) for w in words)


def _words(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans]


def _occlude(texts: list[str], **options: object) -> tuple[list[list[str]], Scorer]:
    scorer = Scorer()
    found = occlude(texts, [Scorer.one(t) for t in texts], scorer, **options)  # type: ignore[arg-type]
    return [_words(t, s) for t, s in zip(texts, found, strict=True)], scorer


def test_words_that_drive_the_score_in_text_order() -> None:
    words, _ = _occlude(["you are a useless fat slag"])
    assert words == [["useless", "slag"]]  # "fat" drops less than half as much as "slag"


def test_small_drops_are_not_evidence() -> None:
    words, _ = _occlude(["a van at the nick"])  # "a" moves the score by 0.01: below the margin
    assert words == [[]]


def test_at_most_three_words() -> None:
    words, _ = _occlude(["useless slag muppet idiot slag"])
    assert len(words[0]) == MAX_SPANS


def test_punctuation_around_a_word_is_not_highlighted() -> None:
    words, _ = _occlude(["oi, slag!"])
    assert words == [["slag"]]


def test_every_variant_of_every_text_is_scored_in_one_call() -> None:
    texts = ["you useless slag", "fat muppet", "slag"]
    words, scorer = _occlude(texts)
    assert len(scorer.calls) == 1 and len(scorer.calls[0]) == 3 + 2 + 1
    assert words == [["useless", "slag"], ["fat", "muppet"], ["slag"]]


def test_no_words_no_call_and_no_spans() -> None:
    words, scorer = _occlude(["", "   "])
    assert words == [[], []] and scorer.calls == []


def test_at_least_one_keeps_the_strongest_word() -> None:
    words, _ = _occlude(["the van is here", "slag"], margin=0.0, at_least_one=True)
    assert words == [["the"], ["slag"]]  # nothing drops it: the first of the ties stands


def test_the_explanation_names_the_words_or_says_none_did() -> None:
    text = "you useless slag"
    assert drove(text, [(4, 11), (12, 16)]) == "words that drove the score: 'useless', 'slag'"
    assert "no single word drove the score" in drove(text, [])


def test_a_long_message_tries_only_its_first_words() -> None:
    text = " ".join(["van"] * (MAX_WORDS + 50) + ["slag"])
    words, scorer = _occlude([text])
    assert len(scorer.calls[0]) == MAX_WORDS and words == [[]]
