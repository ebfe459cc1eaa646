"""Never a silent change: line endings, unreadable values, control characters, day/month
basis, and the kept original is exactly what was hashed and parsed."""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from conductlens.errors import ParseError
from conductlens.ingest import pipeline
from conductlens.ingest._msgstore_sqlite import open_readonly
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.limits import Limits, using
from conductlens.ingest.pipeline import ingest_path
from conductlens.ingest.whatsapp_android_db import WhatsAppAndroidDb
from conductlens.ingest.whatsapp_text import WhatsAppText
from conductlens.model import ExhibitWarning, Message, Record
from conductlens.store import Store
from conductlens.store import tables as t

DATA = Path(__file__).resolve().parents[1] / "data" / "whatsapp"
TEAM_B = DATA / "WhatsApp Chat with Response Team B.txt"


def text_records(path: Path) -> list[Record]:
    return list(WhatsAppText().parse(Source.open(path), ParseOptions()))


def messages(records: list[Record]) -> list[tuple[object, ...]]:
    return [(m.sender, m.timestamp, m.kind, m.text, m.raw, m.source.line)
            for m in records if isinstance(m, Message)]


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().replace(b"\r\n", b"\n").split(b"\n")


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending_gives_the_same_records(tmp_path: Path, ending: bytes) -> None:
    reference = messages(text_records(TEAM_B))
    assert len(reference) == 15
    path = tmp_path / TEAM_B.name
    path.write_bytes(ending.join(lines_of(TEAM_B)))
    assert messages(text_records(path)) == reference


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([b"\n", b"\r\n", b"\r"]), min_size=40, max_size=40))
def test_mixed_line_endings_give_the_same_records(endings: list[bytes]) -> None:
    lines = lines_of(TEAM_B)
    used = endings[: len(lines) - 1]
    joined = b"".join(line + used[i] for i, line in enumerate(lines[:-1])) + lines[-1]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / TEAM_B.name
        target.write_bytes(joined)
        records = text_records(target)
    assert messages(records) == messages(text_records(TEAM_B))
    warned = any(isinstance(w, ExhibitWarning) and "lone CR" in w.text for w in records)
    assert warned == (b"\r" in used)


def test_a_cr_only_export_reports_its_line_endings(tmp_path: Path) -> None:
    path = tmp_path / TEAM_B.name
    path.write_bytes(b"\r".join(lines_of(TEAM_B)))
    warnings = [r.text for r in text_records(path) if isinstance(r, ExhibitWarning)]
    assert any("lines end in a lone CR" in w for w in warnings)


def test_a_cr_split_across_blocks_is_one_line_end(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from conductlens.ingest import _whatsapp_chunks

    monkeypatch.setattr(_whatsapp_chunks, "BLOCK", 7)  # every CRLF straddles some block
    path = tmp_path / TEAM_B.name
    path.write_bytes(b"\r\n".join(lines_of(TEAM_B)))
    assert messages(text_records(path)) == messages(text_records(TEAM_B))


def test_a_nul_in_a_name_never_makes_a_second_person(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with NUL.txt"
    path.write_bytes(
        b"01/02/2024, 09:02 - Alice Smith: Hi all\n"
        b"01/02/2024, 09:03 - Bob Jones: hello\n"
        b"01/02/2024, 09:04 - Bob\x00 Jones: again\n"
    )
    store = Store.open(str(tmp_path / "s.db"))
    summary = ingest_path(store, path)
    assert summary.participants == 2
    assert any("control characters (U+0000)" in w for w in summary.warnings)
    with store.engine.connect() as conn:
        names = set(conn.scalars(select(t.participants.c.name)))
        raws = list(conn.scalars(select(t.messages.c.raw).order_by(t.messages.c.seq)))
    assert names == {"Alice Smith", "Bob Jones"}
    assert "Bob\x00 Jones" in raws[2]  # kept as written


@pytest.mark.parametrize(
    ("line", "language"),
    [
        (b"1/2/24, 9:05 a. m. - Ana: <Multimedia omitido>", "Spanish"),
        (b"1/2/24, 9:05 - Ana: <Medien ausgeschlossen>", "German"),
        (b"1/2/24, 9:05 - Ana: <M\xc3\xaddia oculta>", "Portuguese"),
    ],
)
def test_ambiguous_dates_follow_the_files_language(tmp_path: Path, line: bytes,
                                                   language: str) -> None:
    path = tmp_path / "WhatsApp Chat with Ana.txt"
    path.write_bytes(line + b"\n1/2/24, 9:06 - Luis: hola\n3/2/24, 10:00 - Ana: vale\n")
    records = text_records(path)
    first = next(m for m in records if isinstance(m, Message))
    assert first.timestamp.local is not None
    assert (first.timestamp.local.month, first.timestamp.local.day) == (2, 1)
    warning = next(w.text for w in records if isinstance(w, ExhibitWarning))
    assert f"the export is in {language}" in warning and "line 1" in warning


def test_english_ambiguous_dates_still_say_their_default(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Ana.txt"
    path.write_bytes(b"1/2/24, 9:05 - Ana: <Media omitted>\n1/2/24, 9:06 - Luis: hi\n")
    records = text_records(path)
    first = next(m for m in records if isinstance(m, Message))
    assert first.timestamp.local is not None and first.timestamp.local.month == 1  # US short
    warning = next(w.text for w in records if isinstance(w, ExhibitWarning))
    assert "unpadded m/d/yy is the US short date" in warning


def _msgstore(path: Path, stamps: list[object]) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE jid (_id INTEGER PRIMARY KEY, user TEXT, server TEXT, raw_string TEXT);"
        "CREATE TABLE chat (_id INTEGER PRIMARY KEY, jid_row_id INTEGER, subject TEXT);"
        "CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_row_id INTEGER, from_me INTEGER,"
        " key_id TEXT, timestamp INTEGER, message_type INTEGER, text_data TEXT,"
        " sender_jid_row_id INTEGER);"
        "INSERT INTO jid VALUES (1, '447700900123', 's.whatsapp.net',"
        " '447700900123@s.whatsapp.net');"
        "INSERT INTO chat VALUES (1, 1, NULL);"
    )
    for row, stamp in enumerate(stamps, start=1):
        conn.execute("INSERT INTO message VALUES (?, 1, 0, ?, ?, 0, ?, 1)",
                     (row, f"K{row}", stamp, f"message {row}"))
    conn.commit()
    conn.close()


def test_msgstore_times_that_are_not_numbers_stay_in_place_with_a_warning(
    tmp_path: Path,
) -> None:
    db = tmp_path / "msgstore.db"
    _msgstore(db, [1_700_000_000_000, "not a time", 1_700_000_002_000, 1_700_000_003_000])
    records = list(WhatsAppAndroidDb().parse(Source.open(db), ParseOptions()))
    texts = [r.text for r in records if isinstance(r, Message)]
    assert texts == ["message 1", "message 2", "message 3", "message 4"]  # source order
    bad = next(r for r in records if isinstance(r, Message) and r.text == "message 2")
    assert bad.timestamp.utc is None and "not a time" in bad.raw
    warnings = [r for r in records if isinstance(r, ExhibitWarning)]
    assert any("message row 2: timestamp 'not a time' is not a time" in w.text
               for w in warnings)
    # the warning comes just before the message it is about
    assert records.index(warnings[-1]) == records.index(bad) - 1


def test_a_view_in_place_of_the_message_table_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "msgstore.db"
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE jid (_id INTEGER PRIMARY KEY, user TEXT, server TEXT);"
        "CREATE TABLE chat (_id INTEGER PRIMARY KEY, jid_row_id INTEGER);"
        "CREATE VIEW message AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
        " SELECT n AS _id, 1 AS chat_row_id, 0 AS from_me, 'k' AS key_id, n AS timestamp,"
        " 0 AS message_type FROM r;"
    )
    conn.close()
    with pytest.raises(ParseError, match="'message' is a view, not a table"):
        list(WhatsAppAndroidDb().parse(Source.open(db), ParseOptions()))


def test_a_query_that_never_ends_is_stopped_by_the_time_budget(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    sqlite3.connect(db).execute("CREATE TABLE a (x)").connection.close()
    with using(Limits(sqlite_seconds=0.2)):
        conn = open_readonly(db)
        endless = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
                   "SELECT max(n) FROM r")
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.execute(endless).fetchall()
        conn.close()


def test_the_kept_object_is_what_was_hashed_even_if_the_original_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = tmp_path / TEAM_B.name
    original.write_bytes(TEAM_B.read_bytes())
    real_open = pipeline._open_source

    def grow_then_open(path: Path) -> Source:
        with original.open("ab") as fh:  # someone appends while the ingest runs
            fh.write(b"14/02/2024, 12:00 - Bob: appended during ingest\n")
        return real_open(path)

    monkeypatch.setattr(pipeline, "_open_source", grow_then_open)
    store = Store.open(str(tmp_path / "s.db"))
    summary = ingest_path(store, original)
    assert summary.sha256 == hashlib.sha256(TEAM_B.read_bytes()).hexdigest()
    with store.engine.connect() as conn:
        kept = Path(conn.scalar(select(t.exhibits.c.stored_path)) or "")
        texts = list(conn.scalars(select(t.messages.c.text)))
        assert conn.scalar(select(func.count()).select_from(t.messages)) == 15
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == summary.sha256
    assert "appended during ingest" not in texts
    assert summary.path == str(original)
    assert not any(tmp_path.glob("s.db.exhibits/staging/*"))


def test_errors_name_the_original_not_the_staging_copy(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    store = Store.open(str(tmp_path / "s.db"))
    with pytest.raises(ParseError) as err:
        ingest_path(store, path)
    assert str(err.value).startswith(str(path)) and "staging" not in str(err.value)
