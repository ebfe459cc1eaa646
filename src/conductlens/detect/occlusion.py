"""Which words drove a model's score, found by occlusion, so a model's finding is highlighted
like a lexicon match and its explanation says why.

Each word is taken out of the message in turn and the message scored again; the words whose
removal lowers the score most (by at least ``margin``, and by at least half as much as the
word that matters most) are the spans. Every variant of every message is scored in one call,
so a batch costs one model call however many messages and words it holds. The scanner calls it
only for messages where a model has already scored high enough to make a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from conductlens.detect.base import Span

F64 = npt.NDArray[np.float64]
Scorer = Callable[[Sequence[str]], F64]
MAX_SPANS = 3
MARGIN = 0.05  # a smaller drop in a probability is noise, not a word that drove the score
# A pasted document would cost a variant per word: only its first words are tried (the encoder
# reads only the first 128 tokens in any case).
MAX_WORDS = 120
_WORD = re.compile(r"\S+")
_INNER = re.compile(r"\w(?:.*\w)?", re.DOTALL)  # a word less the punctuation around it


def _highlight(text: str, start: int, end: int) -> Span:
    # "slag," is highlighted as "slag"; a word of punctuation or emoji alone stays as it is.
    inner = _INNER.search(text[start:end])
    return (start + inner.start(), start + inner.end()) if inner else (start, end)


def occlude(
    texts: Sequence[str],
    base: Sequence[float] | F64,
    score: Scorer,
    *,
    margin: float = MARGIN,
    at_least_one: bool = False,
) -> list[tuple[Span, ...]]:
    """For each text, the words (at most :data:`MAX_SPANS`, in text order) whose removal
    lowers ``score`` below ``base`` (the text's own score) most.

    ``score`` maps texts to one score each and is called once, on every variant of every
    text (of its first :data:`MAX_WORDS` words). A text where no word's removal drops the
    score by ``margin`` gets ``()``, unless ``at_least_one``: then the word whose removal drops
    it most (the whole text when it has no words)."""
    words = [[m.span() for m in _WORD.finditer(text)][:MAX_WORDS] for text in texts]
    variants = [t[:a] + t[b:] for t, spans in zip(texts, words, strict=True) for a, b in spans]
    scores = np.asarray(score(variants), dtype=np.float64) if variants else np.zeros(0)
    out: list[tuple[Span, ...]] = []
    start = 0
    for row, spans in enumerate(words):
        drops = float(base[row]) - scores[start : start + len(spans)]
        start += len(spans)
        if not spans:
            out.append(((0, len(texts[row])),) if at_least_one and texts[row] else ())
            continue
        order = np.argsort(-drops, kind="stable")
        best = float(drops[order[0]])
        keep = [int(i) for i in order[:MAX_SPANS]
                if best > 0 and drops[i] >= max(margin, 0.5 * best)]
        if not keep and at_least_one:
            keep = [int(order[0])]
        out.append(tuple(sorted(_highlight(texts[row], *spans[i]) for i in keep)))
    return out


def drove(text: str, spans: Sequence[Span]) -> str:
    """Words for an explanation: which words drove the score, or that no single one did."""
    if not spans:
        return ("no single word drove the score: taking out any one word barely changes it, "
                "so it rests on the message as a whole")
    return "words that drove the score: " + ", ".join(repr(text[a:b]) for a, b in spans)
