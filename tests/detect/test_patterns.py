"""Table-driven tests per recogniser: valid shapes and checksums found, invalid ones not."""

from __future__ import annotations

import pytest

from conductlens.detect.patterns import Patterns

PATTERNS = Patterns("pattern:test@1")

CASES = [
    ("phone", "ring her on 07911 123456 tonight", "07911 123456"),
    ("phone", "landline 020 7946 0018", "020 7946 0018"),
    ("postcode", "lives in LS1 4AP near the station", "LS1 4AP"),
    ("postcode", "SW1A 1AA", "SW1A 1AA"),
    ("vrm", "seen in AB12 CDE on the A1", "AB12 CDE"),
    ("vrm", "car is yk19abc", "yk19abc"),
    ("nino", "NI AB123456C", "AB123456C"),
    ("nino", "ni no jt 12 34 56 a", "jt 12 34 56 a"),
    ("dob", "DOB 14/02/1990", "DOB 14/02/1990"),
    ("dob", "born on 3.7.85", "born on 3.7.85"),
    ("address", "she's at 12 Acacia Avenue now", "12 Acacia Avenue"),
    ("pnc_id", "PNC ID 98/123456A", "98/123456A"),
    ("crime_ref", "crime ref 42/12345/21 please", "crime ref 42/12345/21"),
    ("incident_ref", "CAD 1234 of 26/11", "CAD 1234 of 26/11"),
    ("protective_marking", "OFFICIAL-SENSITIVE do not forward", "OFFICIAL-SENSITIVE"),
    ("intelligence", "graded 2x2x1 by the source unit", "2x2x1"),
    ("intelligence", "intel says he keeps a knife", "intel says"),
    ("custody_image", "look at his custody photo", "custody photo"),
    ("operation_timing", "warrant at 0600 tomorrow", "warrant at 0600"),
    # Ofcom's drama range fails is_valid_number but is still a mobile number in a chat.
    ("phone", "her mum's on 07700 900461 if you need her", "07700 900461"),
    ("phone", "text +44 7700 900777 after six", "+44 7700 900777"),
    ("crime_ref", "CRI/26/004512 is the one", "CRI/26/004512"),
    ("emoji_laugh", "look at him 🤣", "🤣"),
    ("emoji_disgust", "the smell 🤮", "🤮"),
    ("emoji_camera", "pic from the scene 📸", "📸"),
]

NEGATIVE = [
    ("phone", "call 12345"),
    ("phone", "exhibit 0770090046"),  # ten digits: too short for a UK mobile
    ("operation_timing", "Drugs warrant briefing 0515 in the parade room"),  # logistics
    ("crime_ref", "CR/2026 update"),  # one number group is no reference
    ("postcode", "QQ1 1AA is not an area"),  # QQ is no postcode area
    ("vrm", "AB99 CDE"),  # 99 is not an age identifier
    ("vrm", "AB12 CIE"),  # I is never used in the random letters
    ("nino", "NI GB123456A"),  # administrative prefix
    ("nino", "NI DA123456A"),  # D is never a first letter
    ("dob", "DOB 31/02/1990"),  # no such date
    ("pnc_id", "PNC ID 98/123456Z"),  # wrong check character
    ("protective_marking", "it's a secret, don't tell the sarge"),
    ("crime_ref", "crime scene at the park"),
]


def _found(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for hit in PATTERNS.detect([text]):
        ((start, end),) = hit.spans
        found.setdefault(hit.label.removeprefix("pattern/"), []).append(text[start:end])
    return found


def _pnc(year: str, serial: str) -> str:
    letters = "ZABCDEFGHJKLMNPQRTUVWXY"
    return f"{year}/{serial}{letters[int(year + serial.zfill(7)) % 23]}"


@pytest.mark.parametrize(("kind", "text", "expected"), CASES)
def test_recognised(kind: str, text: str, expected: str) -> None:
    if kind == "pnc_id":  # build a PNC ID whose check character is right
        expected = _pnc("98", "123456")
        text = f"PNC ID {expected}"
    assert expected in _found(text).get(kind, [])


@pytest.mark.parametrize(("kind", "text"), NEGATIVE)
def test_rejected(kind: str, text: str) -> None:
    assert kind not in _found(text)


def test_no_digits_no_identifier() -> None:
    assert _found("see you at the nick after briefing") == {}
