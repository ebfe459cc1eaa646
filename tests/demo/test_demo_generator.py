"""Tests for the demo exhibit generator (conductlens.demo)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conductlens.demo import DemoFiles, build_scenario, generate_demo, write_android_txt
from conductlens.demo.ground_truth import CATEGORIES

LONDON = ZoneInfo("Europe/London")
ANDROID_HEADER = re.compile(r"^(\d{2}/\d{2}/\d{4}, \d{2}:\d{2}) - ")
IOS_HEADER = re.compile(r"^\[(\d{2}/\d{2}/\d{4}, \d{2}:\d{2}:\d{2})\] ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def truth(demo: DemoFiles) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(demo.ground_truth.read_text(encoding="utf-8"))
    return data


def _hashes(files: DemoFiles) -> dict[str, str]:
    paths = (
        files.android_txt,
        files.ios_zip,
        files.msgstore_db,
        files.wa_db,
        files.chatstorage_sqlite,
        files.ground_truth,
    )
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _count(path: Path, sql: str) -> int:
    return int(_query(path, sql)[0][0])


def _android_lines(demo: DemoFiles) -> list[str]:
    return demo.android_txt.read_text(encoding="utf-8").split("\n")[:-1]


def _ios_lines(demo: DemoFiles) -> list[str]:
    with zipfile.ZipFile(demo.ios_zip) as archive:
        text = archive.read("_chat.txt").decode("utf-8")
    assert text.endswith("\r\n")
    return text.split("\r\n")[:-1]


def test_same_seed_gives_byte_identical_files(demo: DemoFiles, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again")
    assert _hashes(again) == _hashes(demo)


def test_other_seed_differs(tmp_path: Path) -> None:
    a = build_scenario(seed=1, scale=0.2)
    b = build_scenario(seed=2, scale=0.2)
    assert [m.text for m in a.messages] != [m.text for m in b.messages]


def test_default_size_and_scale() -> None:
    small = build_scenario(scale=0.25)
    assert 3000 <= len(build_scenario().messages) <= 5000
    assert len(small.messages) < 2000
    assert len(small.incidents) == 50
    with pytest.raises(ValueError):
        build_scenario(scale=0)


def test_android_txt_counts_and_shapes(demo: DemoFiles, truth: dict[str, Any]) -> None:
    lines = _android_lines(demo)
    headers = [line for line in lines if ANDROID_HEADER.match(line)]
    counts = truth["counts"]
    assert len(headers) == counts["android_txt_header_lines"]
    assert headers[0].endswith(
        "Messages and calls are end-to-end encrypted. Only people in "
        "this chat can read, listen to, or share them. Learn more."
    )
    text = "\n".join(lines)
    assert 'Sgt Mark Dunmore created group "Team 3 Northtown"' in text
    assert "Sgt Mark Dunmore added you" in text
    assert text.count(" joined using this group's invite link") == 2
    assert "Priya Sgt T3 removed +44 7700 900130" in text
    assert 'changed the subject from "Team 3 Northtown" to "Team 3 Northtown Response 🚓"' in text
    assert (
        "Craig Pendle changed their phone number to a new number. Tap to message or add "
        "the new number."
    ) in text
    assert text.count("(file attached)") == counts["media_messages"]
    assert text.count("<This message was edited>") == counts["edited_messages"]
    deleted = text.count("This message was deleted") + text.count("You deleted this message")
    assert deleted == counts["deleted_messages"]
    assert re.search(r"^\d{2}/\d{2}/\d{4}, \d{2}:\d{2} - \+44 7700 900512: ", text, re.M)
    assert re.search(r"^\d{2}/\d{2}/\d{4} - ", text, re.M), "hostile continuation lines"
    assert re.search(r"^IMG-\d{8}-WA\d{4}\.jpg \(file attached\)", text, re.M) is None


def test_ios_zip_counts_and_shapes(demo: DemoFiles, truth: dict[str, Any]) -> None:
    lines = _ios_lines(demo)
    headers = [line for line in lines if IOS_HEADER.match(line)]
    counts = truth["counts"]
    assert len(headers) == counts["ios_chat_header_lines"]
    subject = truth["group"]["subject"]
    assert headers[0].startswith(f"[02/03/2026, 07:01:22] {subject}: \u200eMessages and calls")
    system = [h for h in headers if f"] {subject}: \u200e" in h]
    assert len(system) == counts["membership_events"] + 1
    attached = re.compile(r": \u200e<attached: (\d{8}-PHOTO-\d{4}(?:-\d{2}){5}\.jpg)>$")
    names = [m.group(1) for h in headers if (m := attached.search(h))]
    assert len(names) == counts["media_messages"]
    with zipfile.ZipFile(demo.ios_zip) as archive:
        members = archive.namelist()
        assert members[0] == "_chat.txt"
        assert sorted(members[1:]) == sorted(names)
        assert {i.date_time for i in archive.infolist()} == {(2026, 9, 1, 0, 0, 0)}
    assert any("\u202a+44 7700 900" in h for h in headers)
    assert "“Team 3 Northtown”" in headers[1]


def test_msgstore_counts(demo: DemoFiles, truth: dict[str, Any]) -> None:
    db, c = demo.msgstore_db, truth["counts"]
    assert _count(db, "SELECT COUNT(*) FROM message") == c["msgstore_message_rows"]
    assert _count(db, "SELECT COUNT(*) FROM message WHERE message_type = 7") == (
        c["membership_events"] + 1
    )
    assert _count(db, "SELECT COUNT(*) FROM message WHERE message_type = 1") == c["media_messages"]
    assert _count(db, "SELECT COUNT(*) FROM message_media") == c["media_messages"]
    assert _count(db, "SELECT COUNT(*) FROM message_revoked") == c["deleted_messages"]
    assert _count(db, "SELECT COUNT(*) FROM message_edit_info") == c["edited_messages"]
    assert _count(db, "SELECT COUNT(*) FROM message_quoted") == c["replies"]
    assert (
        _count(db, "SELECT COUNT(*) FROM message_add_on WHERE message_add_on_type = 56")
        == (c["reactions"])
    )
    assert _count(db, "SELECT COUNT(*) FROM message_add_on_reaction") == c["reactions"]
    actions = dict(_query(db, "SELECT action_type, COUNT(*) FROM message_system GROUP BY 1"))
    by_kind = c["membership_by_kind"]
    assert actions[12] == by_kind["added"] and actions[5] == by_kind["left"]
    assert actions[14] == by_kind["removed"] and actions[20] == by_kind["joined_by_link"]
    assert actions[1] == by_kind["subject_changed"] and actions[10] == 1 and actions[67] == 1
    members = _count(db, "SELECT COUNT(*) FROM group_participant_user")
    past = _count(db, "SELECT COUNT(*) FROM group_past_participant_user")
    assert members + past == 28
    assert _count(db, "SELECT COUNT(*) FROM message_system_group WHERE is_me_joined = 1") == 1


def test_msgstore_times_match_android_export(demo: DemoFiles) -> None:
    headers = [m.group(1) for line in _android_lines(demo) if (m := ANDROID_HEADER.match(line))]
    stamps = [
        row[0] for row in _query(demo.msgstore_db, "SELECT timestamp FROM message ORDER BY _id")
    ]
    local = [
        datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone(LONDON).strftime("%d/%m/%Y, %H:%M")
        for ms in stamps
    ]
    assert local == headers


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _fields(data: bytes) -> Iterator[tuple[int, bytes | int]]:
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        if key & 7 == 0:
            value, pos = _varint(data, pos)
            yield key >> 3, value
        else:
            size, pos = _varint(data, pos)
            yield key >> 3, data[pos : pos + size]
            pos += size


def test_chatstorage_counts(demo: DemoFiles, truth: dict[str, Any]) -> None:
    db, c = demo.chatstorage_sqlite, truth["counts"]
    assert _count(db, "SELECT COUNT(*) FROM ZWAMESSAGE") == c["chatstorage_message_rows"]
    assert (
        _count(db, "SELECT COUNT(*) FROM ZWAMESSAGE WHERE ZMESSAGETYPE = 1") == c["media_messages"]
    )
    assert (
        _count(db, "SELECT COUNT(*) FROM ZWAMESSAGE WHERE ZMESSAGETYPE = 14")
        == (c["deleted_messages"])
    )
    events = _count(
        db,
        "SELECT COUNT(*) FROM ZWAMESSAGE WHERE ZMESSAGETYPE = 6 OR "
        "(ZMESSAGETYPE = 10 AND ZGROUPEVENTTYPE = 21)",
    )
    assert events == c["membership_events"]
    assert (
        _count(db, "SELECT COUNT(*) FROM ZWAMESSAGE WHERE ZPARENTMESSAGE IS NOT NULL")
        == (c["replies"])
    )
    reactions = 0
    for (blob,) in _query(db, "SELECT ZRECEIPTINFO FROM ZWAMESSAGEINFO"):
        for number, inner in _fields(blob):
            assert number == 7 and isinstance(inner, bytes)
            reactions += sum(1 for n, _ in _fields(inner) if n in (1, 2))
    assert reactions == c["reactions"]
    assert _count(db, "SELECT COUNT(*) FROM ZWAMESSAGEINFO") == c["messages_with_reactions"]
    first = _query(db, "SELECT ZMESSAGEDATE FROM ZWAMESSAGE WHERE Z_PK = 2")[0][0]
    assert (
        first
        == (
            datetime(2026, 3, 2, 7, 1, 22, tzinfo=UTC) - datetime(2001, 1, 1, tzinfo=UTC)
        ).total_seconds()
    )


def test_key_ids_shared_between_android_and_ios(demo: DemoFiles) -> None:
    android = _query(demo.msgstore_db, "SELECT _id, key_id FROM message ORDER BY _id")
    ios = _query(demo.chatstorage_sqlite, "SELECT Z_PK, ZSTANZAID FROM ZWAMESSAGE ORDER BY Z_PK")
    assert android == ios


EXPECTED_TABLES = {
    "msgstore_db": {
        "jid",
        "chat",
        "message",
        "message_media",
        "message_add_on",
        "message_add_on_reaction",
        "message_quoted",
        "message_system",
        "message_system_chat_participant",
        "message_system_group",
        "message_system_number_change",
        "message_system_value_change",
        "message_revoked",
        "message_edit_info",
        "group_participant_user",
        "group_past_participant_user",
        "jid_map",
        "lid_display_name",
        "props",
    },
    "wa_db": {"wa_contacts", "android_metadata"},
    "chatstorage_sqlite": {
        "Z_PRIMARYKEY",
        "Z_METADATA",
        "ZWACHATSESSION",
        "ZWAMESSAGE",
        "ZWAGROUPMEMBER",
        "ZWAMEDIAITEM",
        "ZWAGROUPINFO",
        "ZWAMESSAGEINFO",
        "ZWAPROFILEPUSHNAME",
    },
}


@pytest.mark.parametrize("attr", sorted(EXPECTED_TABLES))
def test_sqlite_files_have_expected_tables(demo: DemoFiles, attr: str) -> None:
    path = getattr(demo, attr)
    assert _query(path, "PRAGMA integrity_check") == [("ok",)]
    tables = {row[0] for row in _query(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert EXPECTED_TABLES[attr] <= tables


def test_wa_db_names(demo: DemoFiles) -> None:
    rows = dict(_query(demo.wa_db, "SELECT jid, display_name FROM wa_contacts"))
    assert rows["447700900110@s.whatsapp.net"] == "Sgt Mark Dunmore"
    assert rows["447700900112@s.whatsapp.net"] is None
    assert rows["447700900512@s.whatsapp.net"] is None


def test_ground_truth_references_valid_messages(demo: DemoFiles, truth: dict[str, Any]) -> None:
    rows = dict(_query(demo.msgstore_db, "SELECT _id, text_data FROM message"))
    incidents = truth["incidents"]
    assert 40 <= len(incidents) <= 60
    assert {i["category"] for i in incidents} == set(CATEGORIES)
    for incident in incidents:
        assert rows[incident["seq"] + 1] == incident["text"]
        assert incident["sender"] in incident["members_at_time"]
        assert incident["severity"] in ("low", "medium", "high")
        for seq in incident["laughing_reply_seqs"]:
            assert rows[seq + 1] in ("😂😂", "😂😂😂", "🤣", "Dead 😂", "lmao", "Classic 😂")
        if incident["challenge_seq"] is not None:
            assert incident["challenged_by"] in incident["members_at_time"]
    assert any(i["laughed_by"] for i in incidents)
    assert any(i["challenged_by"] for i in incidents)
    assert any(i["left_after"] for i in incidents)
    assert any(not i["laughed_by"] and not i["challenged_by"] for i in incidents)
    assert sum(1 for i in incidents if i["media"]) >= 4
    planted = {i["seq"] for i in incidents}
    for negative in truth["hard_negatives"]:
        assert negative["seq"] not in planted
        assert rows[negative["seq"] + 1] == negative["text"]


def test_photos_are_valid_images(demo: DemoFiles) -> None:
    image = pytest.importorskip("PIL.Image")
    with zipfile.ZipFile(demo.ios_zip) as archive:
        for name in archive.namelist()[1:6]:
            with image.open(io.BytesIO(archive.read(name))) as picture:
                picture.load()
                assert picture.size == (8, 8)


def test_streaming_writer_is_exact_and_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    assert write_android_txt(first, 5_000, seed=3) == 5_000
    write_android_txt(second, 5_000, seed=3)
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text(encoding="utf-8").split("\n")
    assert len(lines) == 5_001 and lines[-1] == ""
    assert ANDROID_HEADER.match(lines[0]) and ANDROID_HEADER.match(lines[-2] or lines[-3])


def _members_over_time(scenario: Any) -> list[tuple[datetime, frozenset[str]]]:
    members: set[str] = set()
    timeline: list[tuple[datetime, frozenset[str]]] = []
    for event in scenario.memberships:
        if event.kind in ("created", "joined_by_link"):
            members.add(event.actor)
        elif event.kind == "added":
            members.add(event.target)
        elif event.kind == "left":
            members.discard(event.actor)
        elif event.kind == "removed":
            members.discard(event.target)
        timeline.append((event.when, frozenset(members)))
    return timeline


def test_only_members_post_and_react() -> None:
    scenario = build_scenario()
    timeline = _members_over_time(scenario)

    def members_at(when: datetime) -> frozenset[str]:
        current: frozenset[str] = frozenset()
        for changed, members in timeline:
            if changed > when:
                break
            current = members
        return current

    for message in scenario.messages:
        assert message.sender in members_at(message.when), message
    for reaction in scenario.reactions:
        assert reaction.sender in members_at(reaction.when), reaction
    seqs = [event.seq for event in scenario.events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [e.when for e in scenario.events] == sorted(e.when for e in scenario.events)
    by_seq = {m.seq: m for m in scenario.messages}
    for message in scenario.messages:
        if message.reply_to is not None:
            assert by_seq[message.reply_to].when <= message.when
