"""Masked words (``n****r``, ``p*kis``, ``f_g``, ``c.nt``) matched against lexicon terms.

A mask of k characters stands for exactly k letters, so ``n****r`` can only be a six-letter
word that starts with ``n`` and ends with ``r``. A masked token is matched only against the
entries of lexicons marked ``masked`` (slurs, profanity), never against ordinary words, so
it cannot turn everyday text into a finding; and a token that could be two different words of
different kinds (``f***``: a swear word, or a slur in the plural?) matches neither, because
a finding must not guess. A plural ending must be visible (``p*kis``, not ``p*ki*``).

``*``, ``#`` and ``%`` are always masks; ``_`` and ``.`` are masks only inside a word with at
least two letters visible (``f_g``, ``r.tard``), because they are also ordinary punctuation; the
normal form (:mod:`conductlens.detect.normalise`) reads them as separators at the same time
(``f.u.c.k``), and whichever reading names a lexicon word wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from conductlens.detect.normalise import fold_with_offsets

# Folded text: "#" and "%" are already "*" (see normalise._FOLD).
_TOKEN = re.compile(r"(?<![a-z*_.])[a-z*_.]*[*_.][a-z*_.]*")
_STRONG = "*"
_WEAK = "_."
_MAX_LENGTH = 20


def term_letters(term: str) -> str | None:
    """The letters of a one-word lexicon term as written (repeats kept), or ``None``."""
    folded, _, _ = fold_with_offsets(term)
    letters = folded.strip()
    return letters if letters.isalpha() and letters.isascii() and len(letters) >= 3 else None


@dataclass(frozen=True, slots=True)
class Form:
    """A spelling a masked token may stand for: the letters, and the entries it names."""

    letters: str
    entries: tuple[int, ...]
    plural: bool


@dataclass(frozen=True, slots=True)
class MaskIndex:
    """Lexicon terms by length, for matching masked tokens; build with :meth:`build`."""

    by_length: dict[int, tuple[Form, ...]]
    groups: tuple[str, ...]  # per entry index: lexicon and tags, what a finding would be

    @classmethod
    def build(cls, terms: Iterable[tuple[int, str, str]], size: int) -> MaskIndex:
        """Index ``(entry index, term, group)`` triples; ``size`` is the number of entries."""
        forms: dict[tuple[str, bool], list[int]] = {}
        groups = [""] * size
        for index, term, group in terms:
            groups[index] = group
            letters = term_letters(term)
            if letters is None:
                continue
            forms.setdefault((letters, False), []).append(index)
            if not letters.endswith("s"):
                forms.setdefault((letters + "s", True), []).append(index)
        by_length: dict[int, list[Form]] = {}
        for (letters, plural), indices in sorted(forms.items()):
            by_length.setdefault(len(letters), []).append(Form(letters, tuple(indices), plural))
        return cls({n: tuple(f) for n, f in by_length.items()}, tuple(groups))

    def match(self, token: str) -> tuple[int, ...]:
        """The entries a masked token names, or ``()`` when none or when it is ambiguous."""
        if not _maskable(token):
            return ()
        pattern = re.compile("".join("." if ch in "*_." else ch for ch in token))
        found = [
            form
            for form in self.by_length.get(len(token), ())
            if pattern.fullmatch(form.letters) and (not form.plural or token[-1] == "s")
        ]
        entries = tuple(i for form in found for i in form.entries)
        if len({f.letters for f in found}) > 1 and len({self.groups[i] for i in entries}) > 1:
            return ()  # two different words of two different kinds: don't guess
        return entries

    def find(self, text: str) -> Iterator[tuple[tuple[int, int], tuple[int, ...]]]:
        """``(original span, entries)`` for every masked token in ``text`` naming a term."""
        folded, starts, ends = fold_with_offsets(text)
        for found in _TOKEN.finditer(folded):
            a, b = _trim(text, folded, starts, *found.span())
            if any(text[starts[i]].isalpha() for i in range(a, b) if folded[i].isalpha()):
                entries = self.match(folded[a:b])  # leet digits alone ("4.5") are a number
                if entries:
                    yield (starts[a], ends[b - 1]), entries


def _trim(text: str, folded: str, starts: list[int], a: int, b: int) -> tuple[int, int]:
    # "...fag" and "fag." are punctuation, "#tag" a hashtag, "*bold*" and "_italic_"
    # WhatsApp's formatting: none of them hides a letter.
    while a < b and folded[a] in _WEAK:
        a += 1
    while b > a and folded[b - 1] in _WEAK:
        b -= 1
    if a < b and text[starts[a]] == "#":
        a += 1
    if b - a > 2 and folded[a] == folded[b - 1] == "*" and text[starts[a]] == text[starts[b - 1]]:
        a, b = a + 1, b - 1
    return a, b


def _maskable(token: str) -> bool:
    if not 3 <= len(token) <= _MAX_LENGTH:
        return False
    visible = sum(ch.isalpha() for ch in token)
    if _STRONG in token:
        return visible >= 1
    return visible >= 2 and any(ch in _WEAK for ch in token)


def may_be_masked(text: str, normal: str) -> bool:
    """A cheap test run on every message: could ``text`` hold a masked word at all?"""
    return "*" in normal or "_" in text or ("." in text and _DOTTED.search(text) is not None)


_DOTTED = re.compile(r"[^\W\d_]\.+[^\W\d_]")
