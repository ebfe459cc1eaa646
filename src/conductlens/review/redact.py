"""Masking people inside text: names (whole, first or last alone) and phone numbers.

``Redactor`` is built from every source the store holds about people (register names,
contact and display names, declared and seen phone numbers) and replaces each mention of a
masked person with their pseudonym. It works on words, not substrings, so a name is masked
whatever its case or spacing, and it reports where it replaced (``Masked.regions``) so a
highlight computed on the raw text can be moved onto the masked text without ever
splitting a name. Phone numbers are found in any common format and compared in E.164; a
valid number that belongs to no one known is withheld too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from conductlens.review.register import to_e164

WITHHELD_NAME = "[name withheld]"
WITHHELD_PHONE = "[phone withheld]"
_WORD = re.compile(r"\w+", re.UNICODE)
# A run that may be a phone number: optional +/00, digits with spaces, dots, dashes, brackets.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-]{5,}\d(?!\w)")
_JOIN = re.compile(r"[\s.,'’\-]*")  # what may separate two words of one name
# Words a phone's contact names carry that name no one: ranks and titles, and the notes people
# add ("Dave Work", "Sgt Khan T3 Response"). Masking them would put a pseudonym wherever a
# message says "work" or "the sergeant", and tell a reader which word belonged to a contact.
# Only contact names are read this way (a register name is a name, every word of it), and no
# word that is also a name or a surname is listed ("Di", "Constable", "Home").
NOT_NAMES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "sir", "madam", "pc", "pcso", "dc", "ds", "dci",
    "dsi", "dsupt", "supt", "ch", "insp", "inspector", "sgt", "sarge", "sergeant", "detective",
    "officer", "acting", "temp", "special", "specials", "work", "mobile", "mob", "personal",
    "private", "old", "new", "number", "no", "team", "shift", "response", "police", "the",
    "and", "of", "uk",
})


@dataclass(frozen=True, slots=True)
class Masked:
    """Masked text; for each replacement its raw and its masked ``(start, end)``."""

    text: str
    regions: tuple[tuple[int, int, int, int], ...] = ()

    def move(self, start: int, end: int) -> tuple[int, int]:
        """A raw-text span as a masked-text span; touching a replacement covers all of it."""
        return self._at(start, True), self._at(end, False)

    def _at(self, pos: int, is_start: bool) -> int:
        shift = 0
        for rs, re_, ms, me in self.regions:
            if pos < rs or (not is_start and pos == rs):
                break
            if pos < re_ or (not is_start and pos == re_):
                return ms if is_start else me
            shift = me - re_
        return pos + shift


@dataclass
class Redactor:
    """Replaces mentions of masked people.

    ``label_of(key)`` is the replacement for a mention of identity ``key`` (None: shown by
    name); ``peek(key)`` is the same without giving a new pseudonym number (a key that has
    none yet answers with itself, so it never equals another's label)."""

    label_of: Callable[[str], str | None]
    peek: Callable[[str], str | None]
    _words: dict[str, set[str]] = field(default_factory=dict)
    _phones: dict[str, str] = field(default_factory=dict)

    def add_name(self, name: str | None, identity: str, contact: bool = False) -> None:
        """Every word of ``name`` (two letters or more, not digits) now means ``identity``;
        of a ``contact`` name (as a phone saved it), every word but those in ``NOT_NAMES``."""
        skip = NOT_NAMES if contact else frozenset()
        for word in _WORD.findall(name or ""):
            if len(word) >= 2 and not word.isdigit() and word.casefold() not in skip:
                self._words.setdefault(word.casefold(), set()).add(identity)

    def add_phone(self, raw: str | None, identity: str) -> None:
        e164 = to_e164(raw) if raw else None
        if e164:
            self._phones.setdefault(e164, identity)

    def name_words(self) -> set[str]:
        """Every word a name could be masked for, as search compares words."""
        from conductlens.store.search import query_words

        return {w for key in self._words for w in query_words(key)}

    def _word_label(self, word: str) -> str | None:
        owners = self._words.get(word.casefold())
        if not owners:
            return None
        if len(owners) == 1:
            return self.label_of(next(iter(owners)))
        labels = {self.peek(i) for i in owners}
        if labels == {None}:
            return None
        if len(labels) == 1:  # one person known by several keys (participant, register)
            return self.label_of(sorted(owners)[0])
        return WITHHELD_NAME

    def _phone_label(self, raw: str) -> str | None:
        e164 = to_e164(raw)
        if e164 is None:
            return None
        if e164 in self._phones:
            return self.label_of(self._phones[e164])
        return WITHHELD_PHONE if sum(c.isdigit() for c in raw) >= 10 else None

    def regions(self, text: str) -> list[tuple[int, int, str]]:
        """Where ``text`` mentions a masked person, with the replacement; sorted, disjoint."""
        found = [(m.start(), m.end(), lab) for m in _PHONE.finditer(text)
                 if (lab := self._phone_label(m.group().strip())) is not None]
        taken = [(s, e) for s, e, _ in found]
        for m in _WORD.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            label = self._word_label(m.group())
            if label is not None:
                found.append((m.start(), m.end(), label))
        return _merge(text, sorted(found))

    def mask(self, text: str) -> Masked:
        out, regions, pos = [], [], 0
        size = 0
        for start, end, label in self.regions(text):
            out.append(text[pos:start])
            size += start - pos
            out.append(label)
            regions.append((start, end, size, size + len(label)))
            size += len(label)
            pos = end
        out.append(text[pos:])
        return Masked("".join(out), tuple(regions))

    def redact(self, text: str) -> str:
        return self.mask(text).text


def _merge(text: str, found: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """One replacement for "Beth Jones" rather than two: neighbours with one label join."""
    out: list[tuple[int, int, str]] = []
    for start, end, label in found:
        if out and out[-1][2] == label and _JOIN.fullmatch(text[out[-1][1]:start]):
            out[-1] = (out[-1][0], end, label)
        else:
            out.append((start, end, label))
    return out


def words(text: str) -> set[str]:
    """The words of ``text`` as search compares them (what a search term must equal)."""
    from conductlens.store.search import query_words

    return set(query_words(text))


def highlight(masked: Masked, spans: Iterable[Sequence[int]]) -> list[tuple[str, bool]]:
    """Segments of the masked text, marked where a (raw) finding span falls."""
    moved = sorted(masked.move(int(s), int(e)) for s, e in spans)
    out, pos, text = [], 0, masked.text
    for start, end in moved:
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    out.append((text[pos:], False))
    return [s for s in out if s[0]]
