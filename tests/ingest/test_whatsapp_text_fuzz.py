"""Property tests: exports written in every header shape read back exactly; nothing crashes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conductlens.errors import ParseError
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.whatsapp_text import WhatsAppText
from conductlens.model import Message

PARSER = WhatsAppText()
NNBSP, LRM = "\u202f", "\u200e"


def _h12(d: datetime) -> int:
    return d.hour % 12 or 12


def _ap(d: datetime, am: str = "AM", pm: str = "PM") -> str:
    return am if d.hour < 12 else pm


# name: (header for a datetime, has seconds, locale the examiner would give)
SHAPES: dict[str, tuple[Callable[[datetime], str], bool, str]] = {
    "android_gb": (lambda d: f"{d:%d/%m/%Y}, {d:%H:%M} - ", False, "en-GB"),
    "android_us": (
        lambda d: f"{d.month}/{d.day}/{d:%y}, {_h12(d)}:{d:%M}{NNBSP}{_ap(d)} - ", False, "en-US"
    ),
    "ios_gb": (lambda d: f"[{d:%d/%m/%Y}, {d:%H:%M:%S}] ", True, "en-GB"),
    "ios_us": (
        lambda d: f"{LRM}[{d.month}/{d.day}/{d:%y}, {_h12(d)}:{d:%M:%S}{NNBSP}{_ap(d)}] ",
        True, "en-US",
    ),
    "german": (lambda d: f"{d:%d.%m.%y}, {d:%H:%M} - ", False, "de-DE"),
    "finnish_klo": (lambda d: f"{d.day}.{d.month}.{d.year} klo {d.hour}.{d:%M} - ", False, "fi"),
    "spanish_ampm": (
        lambda d: f"{d.day}/{d.month}/{d.year}, {_h12(d)}:{d:%M} {_ap(d, 'a. m.', 'p. m.')} - ",
        False, "es-ES",
    ),
    "iso": (lambda d: f"{d:%Y-%m-%d}, {d:%H:%M} - ", False, "en-GB"),
    "year_first_pm": (
        lambda d: f"{d:%Y/%m/%d}, {_h12(d)}:{d:%M} {_ap(d, 'am', 'pm')} - ", False, "ja-JP"
    ),
    "bracket_dotted": (lambda d: f"[{d:%d.%m.%y} {d:%H:%M:%S}] ", True, "de-DE"),
    "dutch_dash": (lambda d: f"{d:%d-%m-%Y} {d:%H:%M} - ", False, "nl-NL"),
}
SENDERS = ["Alice", "Bob Smith", "+44 7700 900123", "José 🌸", "محمد علي", "Dr. Who-Else"]
OLD = datetime(2013, 3, 14, 9, 5, 7)  # long before any generated message

HOSTILE = st.sampled_from([
    "see you 12/03/2020, 10:00 - ok: fine",
    "a - b - c: d: e",
    "Alice: not a header on its own line",
    "12/03/2012, 10:00 - Mallory: pasted from another chat",
    "[12/03/2012, 10:00:00] Mallory: pasted from an iPhone",
    "1.2.2012 klo 9.00 - Mallory: vanha",
    "2012-03-12, 10:00 - Mallory left",
    "‏RTL ‎marks ‪embedded‬",
    "",
    "🙂🙃 emoji only",
    "<not a marker>",
    "ends with a colon:",
])
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"),
    max_size=30,
)


@st.composite
def exports(draw: st.DrawFn) -> tuple[str, str, list[tuple[str, datetime, str]]]:
    shape = draw(st.sampled_from(sorted(SHAPES)))
    header, seconds, locale = SHAPES[shape]
    when = draw(st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2025, 1, 1)))
    messages = []
    for _ in range(draw(st.integers(1, 8))):
        when += timedelta(seconds=draw(st.integers(0, 200_000)))
        if not seconds:
            when = when.replace(second=0)
        when = when.replace(microsecond=0)
        lines = draw(st.lists(st.one_of(TEXT, HOSTILE), min_size=1, max_size=4))
        if draw(st.booleans()):
            # A pasted header in this very shape, for a name nobody uses, from long ago.
            lines.insert(1, header(OLD) + "Mallory: " + draw(TEXT))
        messages.append((draw(st.sampled_from(SENDERS)), when, "\n".join(lines)))
    text = "".join(f"{header(w)}{s}: {body}\n" for s, w, body in messages)
    return text, locale, messages


def _parse(text: str, locale: str) -> list[Message]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chat.txt"
        path.write_text(text, encoding="utf-8", newline="")
        records = PARSER.parse(Source.open(path), ParseOptions(locale=locale))
        return [r for r in records if isinstance(r, Message)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_round_trip(export: tuple[str, str, list[tuple[str, datetime, str]]]) -> None:
    text, locale, expected = export
    got = _parse(text, locale)
    assert [(m.sender, m.timestamp.local, m.text) for m in got] == expected
    assert "\n".join(m.raw for m in got) + "\n" == text


def test_round_trip_every_shape() -> None:
    body = "first line: with - dashes 12/03/2020\nsecond ‏line\n"
    for name, (header, _, locale) in SHAPES.items():
        start = datetime(2021, 11, 2, 13, 7)
        messages = [("Alice", start, body), ("Bob Smith", start + timedelta(days=20), "ok")]
        text = "".join(f"{header(w)}{s}: {b}\n" for s, w, b in messages)
        got = _parse(text, locale)
        assert [(m.sender, m.timestamp.local, m.text) for m in got] == messages, name


def _never_crashes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chat.txt"
        path.write_bytes(data)
        source = Source.open(path)
        assert 0.0 <= PARSER.sniff(source) <= 1.0
        try:
            for _ in PARSER.parse(source, ParseOptions()):
                pass
        except ParseError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_never_crash(data: bytes) -> None:
    _never_crashes(data)


LINEISH = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from([
            "12/03/2020, 10:00 - A: x", "[1/2/21, 3:04:05 PM] B: y", "31/02/2020, 10:00 - C: z",
            "2020/13/45, 99:99 - D: w", "1.2.2020 klo 25.61 - E: v", "\ufeff", "\u200e[",
            "12/03/2020, 10:00 - X created group \"a: b\"", "03/12/2020, 10:00 - You left",
        ]),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(LINEISH)
def test_any_text_never_crashes(lines: list[str]) -> None:
    _never_crashes("\n".join(lines).encode("utf-8", "surrogatepass"))
