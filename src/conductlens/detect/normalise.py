"""An evasion-defeating normal form for lexicon matching, with a map back to the original text.

Steps (each a C-speed ``str`` or ``re`` operation, so the fast path costs a few microseconds):

1. lower-case, fold homoglyphs (Cyrillic and Greek look-alikes, full-width letters) and leetspeak
   digits to letters, unify masking characters (``*#%``) to ``*``, spell emoji used as words;
2. turn ``!`` and ``|`` between letters into ``i`` (``sh!t``);
3. drop punctuation inside words (``f.u-c_k``);
4. join runs of three or more single letters spaced apart (``f u c k``);
5. replace any run of other characters with one space, collapse repeated letters
   (``fuuuck`` -> ``fuck``, and so ``faggot`` -> ``fagot``: lexicon terms go through the
   same function). Collapsing folds a message with fewer letters too (``wed`` and ``weed``),
   so a lexicon match is checked against :func:`letter_runs`: a message may repeat a letter
   more often than the term, never less.

The result is padded with one space each side, so a lexicon term ``" term "`` matches whole
words only. :func:`normalise` gives the text alone (the fast path, run on every message);
:func:`normalise_with_offsets` replays the same steps while tracking where every normalised
character came from, and is run only on messages that matched something.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

# Letters that look like Latin ones (Cyrillic, Greek), leetspeak digits and symbols.
_FOLD: dict[str, str] = {
    "а": "a",
    "в": "b",
    "с": "c",
    "е": "e",
    "һ": "h",
    "і": "i",
    "ј": "j",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "ѕ": "s",
    "т": "t",
    "у": "y",
    "х": "x",
    "ԁ": "d",
    "ɡ": "g",
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ς": "s",
    "σ": "s",
    "ı": "i",
    "ł": "l",
    "ø": "o",
    "ß": "ss",
    "à": "a",
    "á": "a",
    "â": "a",
    "ä": "a",
    "ã": "a",
    "å": "a",
    "ç": "c",
    "è": "e",
    "é": "e",
    "ê": "e",
    "ë": "e",
    "ì": "i",
    "í": "i",
    "î": "i",
    "ï": "i",
    "ñ": "n",
    "ò": "o",
    "ó": "o",
    "ô": "o",
    "ö": "o",
    "õ": "o",
    "ù": "u",
    "ú": "u",
    "û": "u",
    "ü": "u",
    "ý": "y",
    "ÿ": "y",
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
    "€": "e",
    "£": "l",
    "#": "*",
    "%": "*",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\ufe0f": "",
    "\u00ad": "",
    "\u2060": "",
    "\u2061": "",
    "\u2062": "",
    "\u2063": "",
    "\u2064": "",
    "\u180e": "",
    "\u200e": "",
    "\u200f": "",
    "\u202a": "",
    "\u202b": "",
    "\u202c": "",
    "\u202d": "",
    "\u202e": "",
    "\u034f": "",
    "\ufeff": "",
}
# Emoji used in these chats as words (a slur, a threat, a sexual act).
_EMOJI: dict[str, str] = {
    "🐒": " monkey ",
    "🐵": " monkey ",
    "🙈": " monkey ",
    "🦍": " gorilla ",
    "🍌": " banana ",
    "🐷": " pig ",
    "🐖": " pig ",
    "🔪": " knife ",
    "🔫": " gun ",
    "🍆": " penis ",
    "💩": " shit ",
    "🖕": " fuck ",
    "🌈": " rainbow ",
    "🧕": " muslim ",
    "💉": " needle ",
    "❄️": " cocaine ",
    "❄": " cocaine ",
    "🌿": " weed ",
    "🍁": " weed ",
    "💊": " pills ",
    "🍑": " arse ",
    "👊": " punch ",
}


# More look-alikes: Cyrillic and Greek letters that pass for Latin ones in chat fonts.
_LOOKALIKES = dict(zip("гпиьѵӏԛԝѡіїёɩμωγϲϳϜ", "rnubvlqwwiieiuwycjf", strict=True))
# Combining marks (accents, strike-through, "Zalgo" stacks) carry no letter of their own.
# Not the enclosing marks of U+20D0..: a keycap (9️⃣) is a digit standing alone.
_COMBINING = ((0x0300, 0x0370), (0x1AB0, 0x1B00), (0x1DC0, 0x1E00))


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    table.update({point: "" for first, last in _COMBINING for point in range(first, last)})
    table.update({ord(k): v for k, v in _LOOKALIKES.items()})
    table.update({ord(k): v for k, v in _FOLD.items()})
    table.update({ord(k): v for k, v in _EMOJI.items() if len(k) == 1})
    for offset in range(26):  # full-width Latin letters
        table[0xFF41 + offset] = chr(0x61 + offset)
    return table


_TABLE = _table()
_INNER_I = re.compile(r"(?<=[a-z])[!|](?=[a-z])")
_INNER_CHARS = frozenset(".-_'’`~^")
_INNER_PUNCT = re.compile(r"(?<=[a-z*])[.\-_'’`~^](?=[a-z*])")
_SPACED = re.compile(r"(?<![a-z*])[a-z*](?:[ .\-_]{1,2}[a-z*](?![a-z*])){2,}")
_OTHER = re.compile(r"[^a-z0-9*]+")  # also collapses runs of spaces
_REPEAT = re.compile(r"([a-z*])\1+")
# A C-level callable: Python 3.11 re-parses a "\1" template on every call to sub().
_COLLAPSE = operator.methodcaller("group", 1)


def _join_spaced(match: re.Match[str]) -> str:
    return "".join(ch for ch in match.group(0) if ch not in " .-_")


_Repl = str | Callable[[re.Match[str]], str]
_STEPS: tuple[tuple[re.Pattern[str], _Repl], ...] = (
    (_INNER_I, "i"),
    (_INNER_PUNCT, ""),
    (_SPACED, _join_spaced),
    (_OTHER, " "),
    (_REPEAT, _COLLAPSE),
)


def _uncollapsed(text: str) -> str:
    # Every step but the last: repeated letters are still as written.
    out = text.lower().translate(_TABLE)
    # Cheap membership tests skip two regex passes for most messages.
    if "!" in out or "|" in out:
        out = _INNER_I.sub("i", out)
    if not _INNER_CHARS.isdisjoint(out):
        out = _INNER_PUNCT.sub("", out)
    for pattern, repl in _STEPS[2:-1]:
        out = pattern.sub(repl, out)
    return out


def normalise(text: str) -> str:
    """Return the padded normal form of ``text`` (fast path, no offsets)."""
    out = _REPEAT.sub(_COLLAPSE, _uncollapsed(text))
    return " " + out.strip(" ") + " "


def letter_runs(text: str) -> tuple[tuple[str, int], ...]:
    """The normal form of ``text`` before repeated letters are collapsed, as ``(character,
    how many in a row)`` runs: ``weeed`` is ``(("w", 1), ("e", 3), ("d", 1))``.

    The normal form folds ``weeed`` and ``wed`` alike; the runs tell a lexicon match whether
    the message spells at least as many of each letter as the term does."""
    out = _uncollapsed(text).strip(" ")
    return tuple((char, len(list(group))) for char, group in itertools.groupby(out))


@dataclass(frozen=True, slots=True)
class Normalised:
    """A normal form with, for each of its characters, the original ``[start, end)`` range."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised range ``[start, end)`` back to a range of the original text."""
        return self.starts[start], self.ends[end - 1]


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """Step 1 alone (lower-case and fold), with each character's original ``[start, end)``."""
    # Per-character so each output character knows its source; equals text.lower().translate
    # because the only context-dependent lower-casing (final sigma) is folded to "s" anyway.
    if text.isascii():  # every ASCII character folds to exactly one character
        return text.lower().translate(_TABLE), list(range(len(text))), list(range(1, len(text) + 1))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, ch in enumerate(text):
        folded = ch.lower().translate(_TABLE)
        if not folded and ends:  # a dropped mark or zero-width belongs to the letter before
            ends[-1] = index + 1
        chars.append(folded)
        starts.extend([index] * len(folded))
        ends.extend([index + 1] * len(folded))
    return "".join(chars), starts, ends


def _sub_tracked(
    pattern: re.Pattern[str], repl: _Repl, text: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]]:
    parts: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        a, b = match.span()
        parts.append(text[last:a])
        new_starts.extend(starts[last:a])
        new_ends.extend(ends[last:a])
        replacement = repl if isinstance(repl, str) else repl(match)  # str: a literal
        parts.append(replacement)
        new_starts.extend([starts[a]] * len(replacement))
        new_ends.extend([ends[b - 1]] * len(replacement))
        last = b
    parts.append(text[last:])
    new_starts.extend(starts[last:])
    new_ends.extend(ends[last:])
    return "".join(parts), new_starts, new_ends


def normalise_with_offsets(text: str) -> Normalised:
    """Return the same normal form as :func:`normalise`, with offsets into ``text``."""
    out, starts, ends = fold_with_offsets(text)
    for pattern, repl in _STEPS:
        out, starts, ends = _sub_tracked(pattern, repl, out, starts, ends)
    lead = len(out) - len(out.lstrip(" "))
    keep = len(out.rstrip(" "))
    out, starts, ends = out[lead:keep], starts[lead:keep], ends[lead:keep]
    edge = len(text)
    first = starts[0] if starts else 0
    last = ends[-1] if ends else edge
    return Normalised(
        text=" " + out + " ",
        starts=(first, *starts, last),
        ends=(first, *ends, last),
    )
