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
from conductlens.detect.normalise import Normalised, normalise, normalise_with_offsets


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
        forms.update(normalise(t).strip() for t in _typos(base) if " " not in t)
        if " " in base:
            forms.add(base.replace(" ", ""))
    return forms


_Raw = tuple[int, tuple[int, tuple[int, ...]]]


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
        evidence, and skipping the offset map keeps the common case fast.
        """
        table: dict[str, list[int]] = {}
        entries: list[Entry] = []
        maskable: list[tuple[int, str, str]] = []
        for lexicon, masked, typos in lexicons:
            for entry in lexicon:
                for form in sorted(variants(entry.term, masked, typos)):
                    table.setdefault(f" {form} ", []).append(len(entries))
                if masked:
                    maskable.append((len(entries), entry.term, _label(entry)))
                entries.append(entry)
        automaton = ahocorasick.Automaton()
        for key, indices in table.items():
            automaton.add_word(key, (len(key), tuple(indices)))
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
        for end, (length, indices) in raw:
            for i, entry in ((i, self.entries[i]) for i in indices):
                if entry.lexicon in self.cues:
                    if i not in cues_seen:
                        cues_seen.add(i)
                        yield _hit(self.id, index, entry, None)
                    continue
                norm = norm or normalise_with_offsets(text)
                span = norm.original_span(end - length + 2, end)
                if not _excepted(entry, text, span):
                    yield _hit(self.id, index, entry, span)


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
