"""Lexicon matching: every entry of every lexicon in one Aho-Corasick automaton, matched over
the evasion-defeating normal form (see :mod:`conductlens.detect.normalise`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from conductlens.detect.base import Hit, PolicyError, Span
from conductlens.detect.masks import MaskIndex, may_be_masked
from conductlens.detect.normalise import (
    Normalised,
    letter_runs,
    normalise,
    normalise_with_offsets,
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon line: a term, its tags, where it came from, and innocent look-alikes."""

    lexicon: str
    term: str
    tags: tuple[str, ...]
    source: str
    exceptions: frozenset[str]
    line: int


def _parse_line(lexicon: str, path: Path, number: int, raw: str) -> Entry:
    fields = [part.strip() for part in raw.split("|")]
    if len(fields) < 3 or not fields[0] or not fields[1] or not fields[2]:
        raise PolicyError(f"{path}:{number}: expected 'term | tags | source [| except=...]'")
    exceptions: frozenset[str] = frozenset()
    if len(fields) > 3:
        if not fields[3].startswith("except="):
            raise PolicyError(f"{path}:{number}: fourth field must be 'except=word;word'")
        exceptions = frozenset(w.strip().lower() for w in fields[3][7:].split(";") if w.strip())
    tags = tuple(t.strip() for t in fields[1].split(",") if t.strip())
    return Entry(lexicon, fields[0].lower(), tags, fields[2], exceptions, number)


def read_lexicon(name: str, path: Path) -> tuple[Entry, ...]:
    """Read a lexicon file (``term | tags | source [| except=a;b]``, ``#`` comments)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read lexicon: {exc.strerror}") from exc
    entries = []
    for number, raw in enumerate(lines, start=1):
        if raw.strip() and not raw.lstrip().startswith("#"):
            entries.append(_parse_line(name, path, number, raw))
    return tuple(entries)


def _typos(word: str) -> Iterator[str]:
    # Adjacent letters swapped (4+ letters) and one inner letter dropped (6+ letters: shorter
    # words would collide with everyday words, e.g. "black" -> "back"); first letter kept.
    for i in range(1, len(word) - 1):
        if len(word) >= 4:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if len(word) >= 6:
            yield word[:i] + word[i + 1 :]


def misspellings(term: str) -> set[str]:
    """The normal forms of ``term`` misspelt (see :func:`variants`), of the word as written
    too: "fagot" is "faggot" with a letter dropped."""
    base = normalise(term).strip()
    spelled = "".join(ch * count for ch, count in letter_runs(term))
    misspelt = {*_typos(base), *_typos(spelled)}
    forms = {normalise(t).strip() for t in misspelt if " " not in t}
    if " " in base:
        forms.add(base.replace(" ", ""))
    return forms


def variants(term: str, masked: bool, typos: bool = False) -> set[str]:
    """The normal forms under which ``term`` is matched: itself, a plural, with ``masked``
    every "l" read as "i" (``s1ut``, ``sIut``: a capital I, a one or a Cyrillic і for the l),
    and with ``typos`` swapped or dropped letters and multi-word terms run together.
    Masked letters (``p*ki``) are matched by :mod:`conductlens.detect.masks` instead."""
    base = normalise(term).strip()
    forms = {base, base + "s"} if base[-1:] != "s" else {base}
    if masked and "l" in base:
        forms.update({form.replace("l", "i") for form in forms})
    if typos:
        forms.update(misspellings(term))
    return forms


Runs = tuple[tuple[str, int], ...]
# Per entry of an automaton key: the letter runs a match must spell out, None for any.
Needs = tuple[tuple[Runs, ...] | None, ...]
_Raw = tuple[int, tuple[int, tuple[int, ...], Needs]]


def _spelled(term: str, form: str) -> Runs | None:
    # The runs the term (or its plural) spells when ``form`` is its normal form and repeats a
    # letter; None when nothing is lost by collapsing, or ``form`` is a looser variant (a
    # misspelling, "l" read as "i") that is matched as it is.
    runs = letter_runs(term)
    for spelled in (runs, runs + (("s", 1),)):
        if "".join(ch for ch, _ in spelled) == form and any(n > 1 for _, n in spelled):
            return spelled
    return None


def spelled_out(needs: tuple[Runs, ...] | None, found: str) -> bool:
    """Whether ``found`` (the matched original text) spells at least as many of each repeated
    letter as one of ``needs``: "weeeed" is weed, "Wed" is not. Text whose runs don't line up
    with the term's (normalised differently out of its message) is given the benefit."""
    if needs is None:
        return True
    runs = letter_runs(found)
    for need in needs:
        if [ch for ch, _ in need] != [ch for ch, _ in runs]:
            return True
        if all(got >= n for (_, got), (_, n) in zip(runs, need, strict=True)):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The compiled matcher; build it with :meth:`build` (no work in the constructor)."""

    id: str
    entries: tuple[Entry, ...]
    automaton: ahocorasick.Automaton
    cues: frozenset[str]
    masks: MaskIndex

    @classmethod
    def build(
        cls,
        id: str,
        lexicons: Iterable[tuple[Sequence[Entry], bool, bool]],
        cues: frozenset[str] = frozenset(),
    ) -> Lexicon:
        """Compile lexicons, each given with whether masked and misspelt forms should match.

        Hits from the ``cues`` lexicons (context words) carry no spans: they are never shown as
        evidence, and skipping the offset map keeps the common case fast. A key whose term
        repeats a letter carries the letters the match must spell out (:func:`spelled_out`):
        the normal form collapses repeats, and "Wed" must not be "weed".
        """
        table: dict[str, dict[int, list[Runs | None]]] = {}
        entries: list[Entry] = []
        maskable: list[tuple[int, str, str]] = []
        for lexicon, masked, typos in lexicons:
            for entry in lexicon:
                loose = misspellings(entry.term) if typos else set()
                for form in sorted(variants(entry.term, masked, typos)):
                    spelled = table.setdefault(f" {form} ", {}).setdefault(len(entries), [])
                    spelled.append(None if form in loose else _spelled(entry.term, form))
                if masked:
                    maskable.append((len(entries), entry.term, _label(entry)))
                entries.append(entry)
        automaton = ahocorasick.Automaton()
        for key, found in table.items():
            needs = tuple(_needs(forms) for forms in found.values())
            automaton.add_word(key, (len(key), tuple(found), needs))
        automaton.make_automaton()
        masks = MaskIndex.build(maskable, len(entries))
        return cls(id=id, entries=tuple(entries), automaton=automaton, cues=cues, masks=masks)

    def detect(self, batch: Sequence[str]) -> Iterator[Hit]:
        """Yield one hit per matched entry occurrence, spans in original offsets."""
        return self.detect_normalised(batch, [normalise(text) for text in batch])

    def detect_normalised(self, batch: Sequence[str], normal: Sequence[str]) -> Iterator[Hit]:
        """As :meth:`detect`, given ``normalise(text)`` for every text already."""
        for index, norm in enumerate(normal):
            raw = list(self.automaton.iter(norm))
            if raw:
                yield from self._hits(index, batch[index], raw)
            if may_be_masked(batch[index], norm):
                yield from self._masked_hits(index, batch[index])

    def _masked_hits(self, index: int, text: str) -> Iterator[Hit]:
        for span, found in self.masks.find(text):
            for entry in (self.entries[i] for i in found):
                yield _hit(self.id, index, entry, span, "masked; ")

    def _hits(self, index: int, text: str, raw: list[_Raw]) -> Iterator[Hit]:
        norm: Normalised | None = None
        cues_seen: set[int] = set()
        for end, (length, indices, needs) in raw:
            for i, need in zip(indices, needs, strict=True):
                entry = self.entries[i]
                cue = entry.lexicon in self.cues
                if cue and (i in cues_seen or need is None):
                    if i not in cues_seen:
                        cues_seen.add(i)
                        yield _hit(self.id, index, entry, None)
                    continue
                norm = norm or normalise_with_offsets(text)
                span = norm.original_span(end - length + 2, end)
                if not spelled_out(need, text[span[0] : span[1]]) or _excepted(entry, text, span):
                    continue
                if cue:
                    cues_seen.add(i)
                yield _hit(self.id, index, entry, None if cue else span)


def _needs(spelled: list[Runs | None]) -> tuple[Runs, ...] | None:
    # Any form matched as it is matches whatever the message spells.
    return None if None in spelled else tuple(r for r in spelled if r is not None)


def _excepted(entry: Entry, text: str, span: Span) -> bool:
    found = "".join(ch for ch in text[span[0] : span[1]].lower() if ch.isalpha() or ch == " ")
    return found in entry.exceptions


def _label(entry: Entry) -> str:
    return f"{entry.lexicon}/" + ",".join(entry.tags)


def _hit(detector: str, index: int, entry: Entry, span: Span | None, how: str = "") -> Hit:
    where = f"{entry.lexicon}.txt line {entry.line}; source: {entry.source}"
    detail = f"{entry.term!r} ({how}{where})"
    return Hit(
        index=index,
        detector=detector,
        label=_label(entry),
        score=1.0,
        spans=(span,) if span is not None else (),
        detail=detail,
    )
