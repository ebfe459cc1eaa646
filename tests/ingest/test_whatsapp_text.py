"""WhatsApp text exports: real fixtures from other projects, hand-written ones, hostile input."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.pipeline import ingest_path
from conductlens.ingest.whatsapp_text import WhatsAppText, chat_member
from conductlens.model import (
    Conversation,
    ExhibitWarning,
    MediaFile,
    MembershipEvent,
    MembershipKind,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Record,
)
from conductlens.store import Store
from conductlens.store import tables as t

DATA = Path(__file__).resolve().parents[1] / "data" / "whatsapp"
PARSER = WhatsAppText()


def parse(path: Path, locale: str = "en-GB") -> list[Record]:
    return list(PARSER.parse(Source.open(path), ParseOptions(locale=locale)))


def of(records: list[Record], kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in records if isinstance(r, kind)]


def people(records: list[Record]) -> list[Message]:
    return [m for m in of(records, Message) if m.sender is not None]


def system(records: list[Record]) -> list[Message]:
    return [m for m in of(records, Message) if m.kind is MessageKind.SYSTEM]


# --- chat-miner: five header shapes of one chat, with a target.json --------------------------

CHAT_MINER = [
    "test_[mmddyy]_24hrs.txt", "test_ddmmyy_24hrs.txt", "test_mmddyy_24hrs.txt",
    "test_mmddyyyy_12hrs.txt", "test_yyyymmdd_24hrs.txt",
]


@pytest.mark.parametrize("name", CHAT_MINER)
def test_chat_miner_matches_target(samples: Path, name: str) -> None:
    folder = samples / "whatsapp_txt" / "chat-miner"
    target = json.loads((folder / "target.json").read_text(encoding="utf-8"))
    records = parse(folder / name)
    said = people(records)
    # chat-miner drops the body-less "John Doe:." line and joins lines with spaces.
    got = [
        {"timestamp": str(m.timestamp.local).replace(" ", "T"), "author": m.sender or "",
         "message": m.text.replace("\n", " ")}
        for m in said if m.text != "."
    ]
    assert sorted(got, key=lambda d: d["timestamp"]) == sorted(
        target, key=lambda d: d["timestamp"]
    )
    assert len(said) == 7
    assert said[2].text == "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."
    assert (said[2].source.line, said[2].source.line_end) == (3, 4)
    sys_msgs = system(records)
    assert [m.text for m in sys_msgs] == ['+12 345 578 created group "Groupname"', "You were added"]
    events = of(records, MembershipEvent)
    assert [(e.kind, e.actor, e.target, e.detail) for e in events] == [
        (MembershipKind.CREATED, "+12 345 578", None, "Groupname"),
        (MembershipKind.ADDED, None, "You", None),
    ]
    conv = of(records, Conversation)[0]
    assert conv.is_group and conv.title == "Groupname"
    owner = [p for p in of(records, Participant) if p.key == "You"]
    assert owner and owner[0].is_owner


def test_chat_miner_12h_midnight(samples: Path) -> None:
    records = parse(samples / "whatsapp_txt" / "chat-miner" / "test_mmddyyyy_12hrs.txt")
    created = system(records)[0]
    assert created.timestamp.local == datetime(2020, 6, 20, 0, 8)  # "00:08 a. m."


# --- whats-reader parser tests: one file per locale shape ------------------------------------

WR = {
    # name: (participant messages, system messages, first sender, first time)
    "asian-ampm-format-test.txt": (4, 1, "Alice", datetime(2024, 12, 1, 22, 5)),
    "asian-format-test.txt": (5, 0, "山田太郎", datetime(2024, 12, 10, 14, 30)),
    "bracketed-year-first-test.txt": (3, 0, "Ana", datetime(2018, 6, 13, 21, 25, 15)),
    "dash-format-test.txt": (5, 0, "Alice", datetime(2024, 12, 10, 14, 30)),
    "dot-time-klo-format-test.txt": (3, 0, "Mika", datetime(2018, 6, 13, 21, 25, 15)),
    "european-ampm-format-test.txt": (4, 0, "Loris", datetime(2018, 6, 23, 13, 55)),
    "french-format-test.txt": (5, 1, "Pierre Martin", datetime(2024, 12, 10, 14, 30)),
    "german-format-test.txt": (5, 1, "John Doe", datetime(2024, 12, 10, 14, 30)),
    "ios-format-test.txt": (4, 1, "Amazon EG", datetime(2025, 11, 13, 12, 25, 55)),
    "spanish-format-test.txt": (5, 1, "Juan Pérez", datetime(2024, 12, 10, 14, 30)),
}


@pytest.mark.parametrize("name", sorted(WR))
def test_whats_reader_parser_tests(samples: Path, name: str) -> None:
    records = parse(samples / "whatsapp_txt" / "whats-reader" / "parser-tests" / name)
    n_people, n_system, first, when = WR[name]
    said = people(records)
    assert (len(said), len(system(records))) == (n_people, n_system)
    assert said[0].sender == first and said[0].timestamp.local == when
    assert not of(records, ParseIssue)


def test_whats_reader_details(samples: Path) -> None:
    base = samples / "whatsapp_txt" / "whats-reader" / "parser-tests"
    klo = people(parse(base / "dot-time-klo-format-test.txt"))
    assert [(m.sender, m.text) for m in klo] == [
        ("Mika", "tämä on testi"), ("Laura", "tämä on toinen testi"), ("Mika", "ilman sekunteja"),
    ]
    ampm = people(parse(base / "european-ampm-format-test.txt"))
    assert [m.timestamp.local.hour for m in ampm if m.timestamp.local] == [13, 13, 13, 1]
    german = parse(base / "german-format-test.txt")
    assert of(german, MembershipEvent)[0].actor == "Jane Smith"
    media = [m for m in people(german) if m.kind is MessageKind.MEDIA]
    assert media[0].attachments[0].omitted  # <Medien ausgelassen>
    assert media[1].attachments[0].file_name == ".jpg"  # .jpg (Datei angehängt)
    ios = parse(base / "ios-format-test.txt")
    notice = system(ios)[0]
    assert notice.text.startswith("This business uses")  # the name and U+200E are framing
    assert "Amazon EG: \u200eThis business uses" in notice.raw
    assert people(ios)[0].text == ""  # "Amazon EG:" with nothing after it
    assert people(ios)[1].text.count("\n") == 5 and "STOP" in people(ios)[1].text
    bracket = people(parse(base / "bracketed-year-first-test.txt"))
    assert bracket[1].timestamp.local == datetime(2018, 6, 13, 13, 55)


# --- whatstk and chat-history-manager ---------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "count", "senders", "first", "last"),
    [
        ("lorem.txt", 500, 4, "Nostrud exercitation magna id. ",
         "Ea esse officia nisi tempor mollit non. "),
        ("lorem-merge-part1.txt", 300, 4, "Laborum sed excepteur id eu cillum sunt ut. ", None),
        ("lorem-merge-part2.txt", 300, 5, "Elit incididunt lorem sed nostrud. ", None),
    ],
)
def test_whatstk_lorem(samples: Path, name: str, count: int, senders: int, first: str,
                       last: str | None) -> None:
    said = people(parse(samples / "whatsapp_txt" / "whatstk" / name))
    assert len(said) == count  # whatstk's df_from_whatsapp gives the same counts
    assert len({m.sender for m in said}) == senders
    assert said[0].text == first  # trailing space kept: text is byte-for-byte
    if last is not None:
        assert said[-1].text == last


def test_whatstk_pokemon(samples: Path) -> None:
    records = parse(samples / "whatsapp_txt" / "whatstk" / "pokemon.txt")
    said = people(records)
    assert len(said) == 18 and len(system(records)) == 2
    assert system(records)[0].text.startswith("Pokemon Chat: Messages and calls")
    assert {m.sender for m in said} == {
        "Ash Ketchum", "Brock", "Misty", "Prof. Oak", "Jessie & James", "Raichu", "Meowth",
        "Wobbuffet",
    }
    conv = of(records, Conversation)[0]
    assert conv.title == "Pokemon Chat" and conv.is_group
    assert said[0].timestamp.local == datetime(2016, 8, 6, 13, 23)  # dd.mm.yyyy


def test_chat_history_manager(samples: Path) -> None:
    path = samples / "whatsapp_txt" / "chat-history-manager" / "WhatsApp Chat with +123 45 6789.txt"
    records = parse(path)
    said = people(records)
    assert len(said) == 11 and len(system(records)) == 2
    assert said[0].text == "hello there!\n\nthis is a\nmulti-line message!\n"
    assert (said[0].source.line, said[0].source.line_end) == (3, 7)
    # The file switches from m/d/yy to d/m/yyyy part-way: both read right.
    assert said[3].timestamp.local == datetime(2023, 6, 30, 16, 14)
    assert said[4].timestamp.local == datetime(2023, 6, 30, 16, 15)
    assert said[4].text == "image comment"
    assert said[4].attachments[0].file_name == "IMG-20230630-WA0000.jpg"
    kinds = [m.kind for m in said[4:9]]
    assert kinds == [MessageKind.MEDIA] * 3 + [MessageKind.STICKER, MessageKind.TEXT]
    assert said[9].attachments[0].omitted
    conv = of(records, Conversation)[0]
    assert conv.title == "+123 45 6789" and not conv.is_group


# --- zips with media ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "member", "people_n", "system_n", "media_n", "linked", "events"),
    [
        ("whats-reader_android-group-chat.zip", "WhatsApp Chat with Family Group 👨‍👩‍👧‍👦.txt",
         42, 8, 4, 4, 7),
        ("whats-reader_android-private-chat.zip", "WhatsApp Chat with Alice.txt", 43, 2, 4, 4, 0),
        ("whats-reader_ios-group-chat.zip", "_chat.txt", 33, 6, 2, 0, 7),
        ("whats-reader_ios-private-chat.zip", "_chat.txt", 43, 2, 4, 4, 0),
    ],
)
def test_zips(samples: Path, name: str, member: str, people_n: int, system_n: int,
              media_n: int, linked: int, events: int) -> None:
    path = samples / "whatsapp_zip" / name
    source = Source.open(path)
    assert PARSER.sniff(source) == 0.95
    assert chat_member(source.members) == member
    records = parse(path)
    assert (len(people(records)), len(system(records))) == (people_n, system_n)
    media = of(records, MediaFile)
    assert len(media) == media_n
    hashes = {m.sha256 for m in media}
    atts = [a for m in people(records) for a in m.attachments if a.sha256]
    assert len(atts) == linked and {a.sha256 for a in atts} <= hashes
    assert len(of(records, MembershipEvent)) == events
    assert all(m.source.path == member for m in of(records, Message))


def test_ios_group_zip_details(samples: Path) -> None:
    records = parse(samples / "whatsapp_zip" / "whats-reader_ios-group-chat.zip")
    events = of(records, MembershipEvent)
    assert (events[1].actor, events[1].target) == ("Sarah", "You")
    assert [e.target for e in events[2:5]] == ["Mom", "Dad", "Jake"]
    assert events[-1].kind is MembershipKind.SUBJECT_CHANGED
    assert events[-1].detail == "Smith Family ❤️"
    conv = of(records, Conversation)[0]
    assert conv.is_group and conv.title == "Smith Family ❤️"
    missing = [m for m in people(records) if m.attachments]
    assert missing[0].attachments[0].file_name == "IMG-20241207-WA0005.jpg"
    assert missing[0].attachments[0].sha256 is None  # referenced, not in the zip
    assert any(isinstance(r, ExhibitWarning) and "day/month" in r.text for r in records)


# --- hand-written fixtures ---------------------------------------------------------------------

def test_ios_hand_written(tmp_path: Path) -> None:
    text = (DATA / "ios_en_us_group.txt").read_bytes()
    photo = b"\xff\xd8\xff fake jpeg"
    zpath = tmp_path / "WhatsApp Chat - Team 3.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("_chat.txt", text)
        zf.writestr("00000012-PHOTO-2024-12-05-08-06-10.jpg", photo)
    records = parse(zpath)
    msgs = of(records, Message)
    assert len(msgs) == 12
    banner = msgs[0]
    assert banner.kind is MessageKind.SYSTEM and banner.sender is None
    sarah = people(records)[0]
    # Lines shaped like headers but for unknown names, from another shape or long ago,
    # stay inside the message.
    assert sarah.text.count("\n") == 3 and sarah.text.endswith("end of Sarah's message")
    assert (sarah.source.line, sarah.source.line_end) == (5, 8)
    assert sarah.raw.splitlines()[0].startswith("[12/5/24, 8:05:00\u202fAM] Sarah: ")
    photo_msg = people(records)[1]
    assert photo_msg.attachments[0].sha256 is not None
    assert photo_msg.attachments[0].size == len(photo)
    assert people(records)[2].attachments[0].omitted
    assert people(records)[3].kind is MessageKind.DELETED
    edited = people(records)[4]
    assert edited.edited and edited.text == "Fixed the typo"
    assert people(records)[-1].timestamp.local == datetime(2024, 12, 13, 13, 15)
    events = of(records, MembershipEvent)
    assert [(e.kind.value, e.actor, e.target) for e in events] == [
        ("created", "Sarah", None), ("added", "Sarah", "You"), ("added", "Sarah", "Mike"),
        ("added", "Sarah", "Dave"), ("subject_changed", "Sarah", None), ("left", "Dave", None),
    ]
    assert events[4].detail == "Team 3: Night shift"
    names = {p.key for p in of(records, Participant)}
    assert names == {"Sarah", "Mike", "Dave", "You"}  # not Zed, Mallory or "Team 3"
    assert of(records, Conversation)[0].title == "Team 3"


def test_android_hand_written() -> None:
    records = parse(DATA / "WhatsApp Chat with Response Team B.txt")
    conv = of(records, Conversation)[0]
    assert conv.title == "Response Team B" and conv.is_group
    said = people(records)
    assert [m.sender for m in said] == [
        "Alice Smith", "Bob", "+44 7700 900123", "Alice Smith", "Alice Smith", "Bob",
    ]
    assert said[1].text == (
        "Multi-line message\n06/02/2024, 10:59 - this line has a date - a dash: and a colon\n"
        "second line"
    )
    assert said[2].text == "look at this" and said[2].kind is MessageKind.MEDIA
    events = {e.kind: e for e in of(records, MembershipEvent)}
    assert events[MembershipKind.SUBJECT_CHANGED].detail == "Response: Team B"
    assert events[MembershipKind.CREATED].detail == "Response: Team A"
    changed = events[MembershipKind.NUMBER_CHANGED]
    assert (changed.actor, changed.detail) == ("+44 7700 900123", "+44 7700 900999")
    assert events[MembershipKind.JOINED_BY_LINK].actor == "Bob"
    assert (events[MembershipKind.REMOVED].actor, events[MembershipKind.REMOVED].target) == (
        "+44 7700 900999", "Bob")
    assert events[MembershipKind.ADMIN_CHANGED].target == "You"
    phones = {p.key: p.phone for p in of(records, Participant)}
    assert phones["+44 7700 900123"] == "+447700900123"
    # 13/02 settles the order: no warning.
    assert not of(records, ExhibitWarning)


def test_locale_decides_ambiguous_dates(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("3/4/2024, 10:00 - A: one\n3/4/2024, 10:01 - B: two\n", encoding="utf-8")
    gb = parse(path)
    assert people(gb)[0].timestamp.local == datetime(2024, 4, 3, 10, 0)
    warning = of(gb, ExhibitWarning)[0].text
    assert "day/month" in warning and "en-GB" in warning
    us = parse(path, locale="en-US")
    assert people(us)[0].timestamp.local == datetime(2024, 3, 4, 10, 0)


def test_utf16_and_bom(tmp_path: Path) -> None:
    body = "13/02/2024, 11:00 - Bob: héllo\n13/02/2024, 11:01 - Ann: ok\n"
    for i, data in enumerate([body.encode("utf-16"), b"\xef\xbb\xbf" + body.encode("utf-8"),
                              body.replace("\n", "\r\n").encode("utf-8")]):
        path = tmp_path / f"c{i}.txt"
        path.write_bytes(data)
        said = people(parse(path))
        assert [m.text for m in said] == ["héllo", "ok"]


def test_bad_line_and_preamble_become_issues(tmp_path: Path) -> None:
    lines = [b"exported by some tool"] + [
        f"13/02/2024, 11:{i:02d} - Bob: line {i}".encode() for i in range(30)
    ]
    lines[10] = b"13/02/2024, 11:09 - Bob: caf\xe9"
    path = tmp_path / "chat.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    records = parse(path)
    issues = of(records, ParseIssue)
    assert [(i.line, i.raw) for i in issues] == [
        (1, b"exported by some tool"), (11, b"13/02/2024, 11:09 - Bob: caf\xe9"),
    ]
    assert len(people(records)) == 29


# --- sniffing and refusals ---------------------------------------------------------------------

def test_sniff(tmp_path: Path, samples: Path) -> None:
    chat = samples / "whatsapp_txt" / "whatstk" / "pokemon.txt"
    assert PARSER.sniff(Source.open(chat)) == 0.9
    other = tmp_path / "notes.txt"
    other.write_text("just some notes\nabout nothing\n", encoding="utf-8")
    assert PARSER.sniff(Source.open(other)) == 0.0
    json_file = samples / "telegram_json" / "chat-miner_test_single_export.json"
    assert PARSER.sniff(Source.open(json_file)) == 0.0


def _exhibits(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.exhibits)) or 0)


def _hostile(tmp_path: Path) -> dict[str, Path]:
    good = (DATA / "WhatsApp Chat with Response Team B.txt").read_bytes()
    zgood = tmp_path / "good.zip"
    with zipfile.ZipFile(zgood, "w") as zf:
        zf.writestr("_chat.txt", good)
        zf.writestr("IMG-20240213-WA0001.jpg", b"x" * 5000)
    files = {
        "empty.txt": b"",
        "garbage.txt": bytes(range(256)) * 40,
        "notachat.txt": b"hello\nworld\n",
        "latin1.txt": good.decode("utf-8").replace("Hi all", "Café olé").replace(
            "second line", "très bien").replace("look at this", "à voir").encode("latin-1"),
        "truncated.zip": zgood.read_bytes()[:-200],
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    locked = tmp_path / "locked.zip"
    buf = bytearray(zgood.read_bytes())
    # Set the "encrypted" flag on every entry (local and central headers).
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := buf.find(sig, start)) >= 0:
            buf[i + off] |= 1
            start = i + 4
    locked.write_bytes(bytes(buf))
    paths["locked.zip"] = locked
    return paths


def test_hostile_inputs_leave_store_unchanged(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"), tmp_path / "exhibits")
    try:
        for name, path in _hostile(tmp_path).items():
            with pytest.raises(ParseError):
                ingest_path(store, path, fmt="whatsapp-text" if name != "empty.txt" else None)
            assert _exhibits(store) == 0, name
    finally:
        store.close()


def test_good_exhibit_ingests(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"), tmp_path / "exhibits")
    try:
        summary = ingest_path(store, DATA / "WhatsApp Chat with Response Team B.txt")
        assert summary.format == "whatsapp-text"
        assert (summary.messages, summary.membership_events) == (15, 8)
        assert summary.participants == 5
        assert _exhibits(store) == 1
    finally:
        store.close()


def test_parse_errors_name_the_problem(tmp_path: Path) -> None:
    paths = _hostile(tmp_path)
    with pytest.raises(ParseError, match="no WhatsApp message lines found"):
        parse(paths["notachat.txt"])
    with pytest.raises(ParseError, match="not UTF-8"):
        parse(paths["latin1.txt"])
    with pytest.raises(ParseError, match="password-protected"):
        parse(paths["locked.zip"])


def test_counts_are_stable_across_repeat_parses(samples: Path) -> None:
    path = samples / "whatsapp_zip" / "whats-reader_android-group-chat.zip"
    first = Counter(type(r).__name__ for r in parse(path))
    assert first == Counter(type(r).__name__ for r in parse(path))


def test_ios_group_notice_text_drops_the_group_name_framing(tmp_path: Path) -> None:
    path = tmp_path / "_chat.txt"
    path.write_text(
        "[02/03/2026, 07:01:22] Team 3: \u200eSarah Cole created group \u201cTeam 3\u201d\n"
        "[02/03/2026, 07:02:00] Sarah Cole: Morning: briefing at 07:30\n"
        "[02/03/2026, 07:03:00] Team 3: \u200eSarah Cole added Tom Reid\n",
        encoding="utf-8",
    )
    records = parse(path)
    notices = system(records)
    assert [m.text for m in notices] == [
        "Sarah Cole created group \u201cTeam 3\u201d", "Sarah Cole added Tom Reid",
    ]
    assert notices[0].raw.startswith("[02/03/2026, 07:01:22] Team 3: \u200e")
    assert [m.text for m in people(records)] == ["Morning: briefing at 07:30"]
    kinds = [e.kind for e in records if isinstance(e, MembershipEvent)]
    assert kinds == [MembershipKind.CREATED, MembershipKind.ADDED]
