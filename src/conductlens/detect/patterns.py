"""Recognisers for UK personal data and police information: a shape (regular expression) and a
validator each, so that a random number is not taken for an NI number or a PNC ID.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import phonenumbers

from conductlens.detect.base import Hit

Validator = Callable[[re.Match[str]], bool]


@dataclass(frozen=True, slots=True)
class Recogniser:
    """One kind of identifier: its name, shape, validator and a plain description."""

    name: str
    pattern: re.Pattern[str]
    validate: Validator
    description: str
    anchors: tuple[str, ...] = ()  # without a digit, run only if one of these words occurs


def _always(match: re.Match[str]) -> bool:
    return True


# Postcode areas in use (Royal Mail); a shape alone would take "AB1 2CD"-like codes for them.
# fmt: off
_AREAS = frozenset((
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH",
    "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E",
    "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP", "HR", "HS",
    "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE", "LL",
    "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX",
    "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM",
    "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS",
    "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
))
# fmt: on


def valid_postcode(match: re.Match[str]) -> bool:
    """The outward code starts with a real postcode area."""
    return match.group("area").upper() in _AREAS


def valid_vrm(match: re.Match[str]) -> bool:
    """Current-format registration (AB12 CDE): a real age identifier, no I/Q/Z where unused."""
    age = int(match.group("age"))
    letters = match.group("mem") + match.group("rand")
    return (2 <= age <= 26 or 51 <= age <= 76) and not set(letters.upper()) & set("IQZ")


_NINO_BAD_PREFIX = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def valid_nino(match: re.Match[str]) -> bool:
    """HMRC rules: no D F I Q U V in the prefix, no O second, no administrative prefixes."""
    prefix = match.group("prefix").upper()
    return prefix not in _NINO_BAD_PREFIX and prefix[1] != "O"


_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def valid_pnc(match: re.Match[str]) -> bool:
    """PNC ID check character: (year digits followed by 7-digit serial) mod 23."""
    number = int(match.group("yy") + match.group("serial").zfill(7))
    return _PNC_LETTERS[number % 23] == match.group("check").upper()


def valid_dob(match: re.Match[str]) -> bool:
    """A real calendar date between 1900 and 2030."""
    year = int(match.group("y"))
    year += 1900 if year < 100 and year > 30 else 2000 if year < 100 else 0
    try:
        date(year, int(match.group("m")), int(match.group("d")))
    except ValueError:
        return False
    return 1900 <= year <= 2030


def _digits_ok(match: re.Match[str]) -> bool:
    return any(ch.isdigit() for ch in match.group(0))


_I = re.IGNORECASE
RECOGNISERS: tuple[Recogniser, ...] = (
    Recogniser(
        "postcode",
        re.compile(r"\b(?P<area>[A-Z]{1,2})\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b"),
        valid_postcode,
        "a UK postcode",
    ),
    Recogniser(
        "vrm",
        re.compile(r"\b(?P<mem>[A-Z]{2})(?P<age>\d{2}) ?(?P<rand>[A-Z]{3})\b", _I),
        valid_vrm,
        "a vehicle registration mark",
    ),
    Recogniser(
        "nino",
        re.compile(
            r"\b(?P<prefix>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", _I
        ),
        valid_nino,
        "a National Insurance number",
    ),
    Recogniser(
        "dob",
        re.compile(
            r"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\W{0,3}"
            r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{2}|\d{4})\b",
            _I,
        ),
        valid_dob,
        "a date of birth",
    ),
    Recogniser(
        "address",
        re.compile(
            r"\b\d{1,4}[a-z]? [A-Z][a-z]+(?: [A-Z][a-z]+)? (?:Road|Rd|Street|St|Avenue|Ave|Close|"
            r"Lane|Drive|Way|Crescent|Court|Gardens|Place|Terrace|Grove|Walk|Mews|Hill|Park)\b"
        ),
        _always,
        "a street address",
    ),
    Recogniser(
        "pnc_id",
        re.compile(r"\b(?P<yy>\d{2})/(?P<serial>\d{1,7}) ?(?P<check>[A-Z])\b", _I),
        valid_pnc,
        "a PNC ID with a valid check character",
    ),
    Recogniser(
        "crime_ref",
        re.compile(
            r"\b(?:crime (?:ref(?:erence)?|number|no)|crn|crime)\W{0,3}"
            r"(?:[A-Z]{1,3}[/\-]?)?\d{2,}(?:[/\-]\d{2,})*\b"
            # a force's own reference shape: CRI/26/012345, CR-0123456-26
            r"|\b(?:CR|CRI|CRM|CRN|CRIS)[/\-]\d{2,}(?:[/\-]\d{2,})+\b",
            _I,
        ),
        _digits_ok,
        "a crime reference number",
    ),
    Recogniser(
        "incident_ref",
        re.compile(
            r"\b(?:cad|incident|log|occurrence|storm|urn)(?: (?:no|number|ref))?\W{0,3}"
            r"\d{3,}(?:(?: of | )?\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|[/\-]\d{2,})?\b",
            _I,
        ),
        _digits_ok,
        "an incident, CAD or occurrence reference",
    ),
    Recogniser(
        "protective_marking",
        re.compile(
            r"\bOFFICIAL[\- ]SENSITIVE\b|\bofficial[\- ]sensitive\b|\bTOP SECRET\b|\bSECRET\b"
            r"|\bRESTRICTED\b|\bNOT FOR (?:DISCLOSURE|CIRCULATION)\b"
        ),
        _always,
        "a protective marking",
        anchors=("official", "secret", "restricted", "not for"),
    ),
    Recogniser(
        "intelligence",
        re.compile(
            r"\b[1-5A-E] ?x ?[1-5A-E] ?x ?[1-5A-EP]\b|\bintel(?:ligence)? (?:says|report|log|"
            r"suggests|shows|has him|has her)\b|\b(?:on|ran him through|checked) (?:the )?pnc\b"
            r"|\bpnc (?:says|shows|check|markers|warning)|\bwarning markers?\b",
            _I,
        ),
        _always,
        "PNC or intelligence content",
        anchors=("intel", "pnc", "warning marker"),
    ),
    Recogniser(
        "custody_image",
        re.compile(r"\b(?:custody (?:photo|pic|image|picture|shot)s?|mug ?shots?)\b", _I),
        _always,
        "a custody image",
        anchors=("custody", "mug"),
    ),
    Recogniser(
        "operation_timing",
        re.compile(
            r"\b(?:warrant|raid|strike|op(?:eration)? [A-Z][a-z]+|door(?:s)? go(?:es)? in)"
            # the time of a briefing or kit muster is shift logistics, not the operation's
            r"\b(?![^.\n]{0,40}?\b(?:briefing|brief|parade|muster|training)\b)"
            r"[^.\n]{0,40}?\b(?:at )?(?:[01]\d|2[0-3]):?[0-5]\d(?:hrs| hours)?\b",
            _I,
        ),
        _always,
        "the timing of a police operation",
    ),
)

# Emoji that carry the tone of a message: with a death, a religion or a group named they turn a
# description into mockery. Cues only: a policy pairs them with a lexicon requirement.
_LAUGH = "😂🤣😆😹"
_DISGUST = "🤮🤢"
_CAMERA = "📸📷"
EMOJI_CUES: tuple[Recogniser, ...] = tuple(
    Recogniser(
        name,
        re.compile(f"[{chars}]"),
        _always,
        description,
        anchors=tuple(chars),
    )
    for name, chars, description in (
        ("emoji_laugh", _LAUGH, "a laughing emoji"),
        ("emoji_disgust", _DISGUST, "a vomiting or nauseated emoji"),
        ("emoji_camera", _CAMERA, "a camera emoji (a photograph shared)"),
    )
)
RECOGNISERS = RECOGNISERS + EMOJI_CUES

# UK mobile numbers in the shape 07xxx xxxxxx: phonenumbers calls Ofcom's reserved drama range
# (07700 900xxx) and unallocated blocks invalid, but in a chat they are still someone's number.
_UK_MOBILE = re.compile(r"(?<![\d+])(?:\+44\s?\(?0?\)?\s?|0)7\d{3}[\s\-]?\d{3}[\s\-]?\d{3}(?!\d)")

# Enough digits for a phone number somewhere in the text (cheap prefilter for phonenumbers).
_MANY_DIGITS = re.compile(r"(?:\d[\s\-().]{0,2}){9}\d")
_DIGIT = re.compile(r"\d")


def _phones(index: int, detector: str, text: str) -> Iterator[Hit]:
    if not _MANY_DIGITS.search(text):
        return
    spans: list[tuple[int, int]] = []
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID):
        spans.append((match.start, match.end))
        yield Hit(index, detector, "pattern/phone", 1.0, (spans[-1],), "a valid phone number")
    for found in _UK_MOBILE.finditer(text):
        start, end = found.span()
        if any(a < end and start < b for a, b in spans):
            continue
        try:
            number = phonenumbers.parse(found.group(0), "GB")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            yield Hit(index, detector, "pattern/phone", 1.0, ((start, end),), "a UK mobile number")


def _recognised(index: int, detector: str, text: str, rec: Recogniser) -> Iterator[Hit]:
    for match in rec.pattern.finditer(text):
        if rec.validate(match):
            yield Hit(index, detector, f"pattern/{rec.name}", 1.0, (match.span(),), rec.description)


@functools.cache
def _anchor_pattern(anchors: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(a) for a in sorted(set(anchors), key=len, reverse=True)))


@dataclass(frozen=True, slots=True)
class Patterns:
    """All recognisers as one detector."""

    id: str
    recognisers: tuple[Recogniser, ...] = RECOGNISERS

    def detect(self, batch: Sequence[str]) -> Iterator[Hit]:
        """Yield one hit per validated identifier, spans in original offsets."""
        anchored = [r for r in self.recognisers if r.anchors]
        any_anchor = _anchor_pattern(tuple(a for r in anchored for a in r.anchors))
        for index, text in enumerate(batch):
            if _DIGIT.search(text) is not None:
                yield from _phones(index, self.id, text)
                recognisers: Sequence[Recogniser] = self.recognisers
            else:  # most messages: only the few digit-free shapes, and only near their words
                lower = text.lower()
                if any_anchor.search(lower) is None:  # one C-level scan rejects most messages
                    continue
                recognisers = [r for r in anchored if any(a in lower for a in r.anchors)]
            for rec in recognisers:
                yield from _recognised(index, self.id, text, rec)


def recogniser_names() -> tuple[str, ...]:
    """Every recogniser name a policy may refer to ("phone" included)."""
    return ("phone", *(rec.name for rec in RECOGNISERS))
