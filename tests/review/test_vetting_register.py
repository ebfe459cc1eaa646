"""The vetting register: identifier kinds per platform, CSV import that reports every bad
row, and participants of several chat formats matched by what people declared."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, insert, select

from conductlens.errors import ConductLensError
from conductlens.ingest.pipeline import ingest_path
from conductlens.model import Conversation, Participant
from conductlens.review import matching, register, register_csv
from conductlens.review.identifiers import normalise
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.migrate import alembic_config
from conductlens.store.tables_review import audit_events, identifiers, participant_links, people
from conductlens.store.writes import ExhibitWriter

SIGNAL_DB = (Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "ingest"
             / "signal_desktop_db" / "chat-history-manager" / "plaintext.db")


@pytest.mark.parametrize(("kind", "raw", "stored"), [
    ("phone", "07700 900123", "+447700900123"),
    ("phone", "+44 (0)7700 900123", "+447700900123"),
    ("phone", "0044 7700 900123", "+447700900123"),
    ("whatsapp", "447700900123@s.whatsapp.net", "+447700900123"),
    ("whatsapp", "447700900123:12@s.whatsapp.net", "+447700900123"),
    ("whatsapp", "07700-900-123", "+447700900123"),
    ("telegram", "@Bob_Smith", "bob_smith"),
    ("telegram", "https://t.me/Bob_Smith", "bob_smith"),
    ("telegram", "+44 7700 900123", "+447700900123"),
    ("telegram", "123456789", "user123456789"),
    ("telegram", "user123456789", "user123456789"),
    ("signal", "07700 900123", "+447700900123"),
    ("signal", "Bob.42", "bob.42"),
    ("instagram", "@Bob.Smith_", "bob.smith_"),
    ("instagram", "instagram.com/bob.smith", "bob.smith"),
    ("facebook", "https://www.facebook.com/Bob.Smith.77", "bob.smith.77"),
    ("email", " Bob.Smith@Westshire.Police.UK ", "bob.smith@westshire.police.uk"),
    ("email", "mailto:bob@example.org", "bob@example.org"),
])
def test_each_kind_is_stored_in_its_normal_form(kind: str, raw: str, stored: str) -> None:
    assert normalise(kind, raw) == stored


@pytest.mark.parametrize(("kind", "raw", "error"), [
    ("phone", "not a phone", "not a valid phone number"),
    ("phone", "123", "not a valid phone number"),
    ("whatsapp", "12@g.us", "not a valid phone number or WhatsApp JID"),
    ("telegram", "@a b", "not a Telegram phone number, @username or user id"),
    ("signal", "bob", "not a phone number or a Signal username"),
    ("instagram", "bob smith", "not an Instagram handle"),
    ("facebook", "bob_smith!", "not a Facebook handle"),
    ("email", "bob@", "not an e-mail address"),
    ("username", "bob", "unknown identifier kind 'username'"),
    ("email", "   ", "the identifier is empty"),
])
def test_a_bad_identifier_is_one_line_naming_it(kind: str, raw: str, error: str) -> None:
    with pytest.raises(ConductLensError, match=error):
        normalise(kind, raw)


def test_numbers_without_a_country_code_are_read_in_the_forces_region() -> None:
    assert normalise("phone", "087 123 4567", "IE") == "+353871234567"
    assert normalise("phone", "+44 7700 900123", "IE") == "+447700900123"


CSV = """staff_number,name,force,team,role,kind,identifier,declared_on
PC1,Alan Grant,Westshire,Team B,PC,whatsapp,07700 900001,2024-01-05
PC1,Alan Grant,Westshire,Team B,PC,telegram,@alan_g,2024-01-05
PC2,Beth Jones,Westshire,Team B,PS,fax,0123,2024-01-06
PC3,Carl Diaz,Westshire,Team C,PC,signal,+44 7700 900001,2024-01-07
PC4,Dana Fox,Westshire,Team C,PC,email,dana@westshire.police.uk,5 Jan 2024
PC1,Alan Grunt,Westshire,Team B,PC,email,alan@westshire.police.uk,
,No Number,Westshire,,,,,
PC5,Eve Ray,Westshire,Team C,PC,instagram,,2024-01-08
PC6,Finn Hale,Westshire,Team D,PC,email,finn@westshire.police.uk,2024-01-09,extra
PC7,Gail Iles,Westshire,Team D,DC,facebook,gail.iles,2024-02-01
"""


def test_csv_keeps_good_rows_and_names_the_line_and_field_of_each_bad_one(
        store: Store) -> None:
    report = register_csv.import_csv(store.engine, CSV, "admin")
    assert report.errors == [
        "line 4, field kind: unknown identifier kind 'fax' (use phone, whatsapp, telegram, "
        "signal, instagram, facebook, email)",
        "line 5, field identifier: +447700900001 is already declared by PC1 (as WhatsApp)",
        "line 6, field declared_on: '5 Jan 2024' is not a date (use YYYY-MM-DD)",
        "line 7, field name: staff number PC1 is 'Alan Grant' in the register, "
        "not 'Alan Grunt'",
        "line 8, field staff_number: is empty",
        "line 9, field identifier: is empty but kind is 'instagram'",
        "line 10: more fields than the header names",
    ]
    assert (report.rows, report.people_added, report.identifiers_added) == (10, 2, 3)
    with store.engine.connect() as conn:
        staff = list(conn.scalars(select(people.c.staff_number).order_by(people.c.id)))
        held = conn.execute(select(identifiers.c.kind, identifiers.c.value,
                                   identifiers.c.declared_on).order_by(identifiers.c.id)).all()
        detail = conn.scalar(select(audit_events.c.detail)
                             .where(audit_events.c.action == "register.import"))
    assert staff == ["PC1", "PC7"]  # a refused row adds no person either
    assert held == [("whatsapp", "+447700900001", date(2024, 1, 5)),
                    ("telegram", "alan_g", date(2024, 1, 5)),
                    ("facebook", "gail.iles", date(2024, 2, 1))]
    assert json.loads(str(detail))["refused"] == 7
    again = register_csv.import_csv(store.engine, CSV, "admin")
    assert (again.identifiers_added, again.identifiers_known) == (0, 3)  # idempotent


def test_a_csv_without_the_required_columns_is_refused_whole(store: Store) -> None:
    with pytest.raises(ConductLensError, match="line 1: missing column.s. force"):
        register_csv.import_csv(store.engine, "staff_number,name\nPC1,A\n", "admin")


def _exhibit(conn: Connection, reference: str, platform: str,
             participants: list[Participant]) -> int:
    """A small exhibit written the way a reader's records are (no file behind it)."""
    eid = int(conn.execute(insert(t.exhibits).values(
        reference=reference, original_name=f"{reference}.db", sha256=reference.ljust(64, "0"),
        size=1, format=platform, stored_path="", added_by="test",
        added_at=datetime.now(UTC))).inserted_primary_key[0])
    writer = ExhibitWriter(conn, eid, platform, None)
    writer.add(Conversation("c1", platform, "Team chat", True))
    for p in participants:
        writer.add(p)
    writer.finish()
    return eid


def _write_exports(tmp: Path) -> tuple[Path, Path]:
    whatsapp = tmp / "WhatsApp Chat with Team B.txt"
    whatsapp.write_text("[01/03/2024, 09:00:00] +44 7700 900001: briefing at 10\n"
                        "[01/03/2024, 09:01:00] Unsaved Friend: ok\n", encoding="utf-8")
    telegram = tmp / "result.json"
    telegram.write_text(json.dumps({
        "name": "Team B", "type": "private_group", "id": 42, "messages": [
            {"id": 1, "type": "message", "date": "2024-03-01T09:00:00", "from": "Beth J",
             "from_id": "user555001", "text": "morning"},
            {"id": 2, "type": "message", "date": "2024-03-01T09:02:00", "from": "Carl",
             "from_id": "user555002", "text": "hi"}]}), encoding="utf-8")
    return whatsapp, telegram


REGISTER = """staff_number,name,force,kind,identifier,declared_on
PC1,Alan Grant,Westshire,whatsapp,447700900001@s.whatsapp.net,2024-01-05
PC2,Beth Jones,Westshire,telegram,555001,2024-01-06
PC3,Carl Diaz,Westshire,email,carl@westshire.police.uk,2024-01-07
PC4,Dana Fox,Westshire,signal,+7 999 333-44-55,2024-01-08
PC5,Eddy Moss,Westshire,phone,07700 900077,2024-01-09
PC6,Eddy Moss Jr,Westshire,facebook,eddy.moss,2024-01-09
"""


def _links(conn: Connection) -> dict[tuple[str, str], tuple[str, str | None, str | None]]:
    """(exhibit format, participant key) -> (staff number, identifier kind, matched on)."""
    rows = conn.execute(
        select(t.exhibits.c.format, t.participants.c.key, people.c.staff_number,
               identifiers.c.kind, participant_links.c.matched_on)
        .join(t.participants, t.participants.c.id == participant_links.c.participant_id)
        .join(t.exhibits, t.exhibits.c.id == t.participants.c.exhibit_id)
        .join(people, people.c.id == participant_links.c.person_id)
        .outerjoin(identifiers, identifiers.c.id == participant_links.c.identifier_id))
    return {(str(f), str(k)): (str(s), kind, on) for f, k, s, kind, on in rows}


def test_participants_of_several_formats_match_by_any_declared_identifier(
        store: Store, tmp_path: Path) -> None:
    assert register_csv.import_csv(store.engine, REGISTER, "admin").errors == []
    whatsapp, telegram = _write_exports(tmp_path)
    ingest_path(store, whatsapp, added_by="test")
    ingest_path(store, telegram, added_by="test")
    if SIGNAL_DB.is_file():
        ingest_path(store, SIGNAL_DB, added_by="test")
    with store.engine.begin() as conn:
        _exhibit(conn, "EXH-MSGSTORE", "whatsapp_android_db", [
            Participant("447700900001@s.whatsapp.net", "Al", None,
                        platform_id="447700900001@s.whatsapp.net"),
            Participant("447700900077@s.whatsapp.net", "Ed", None,
                        platform_id="447700900077@s.whatsapp.net")])
        _exhibit(conn, "EXH-MESSENGER", "messenger", [Participant("Eddy Moss", "Eddy Moss")])
        _exhibit(conn, "EXH-SLACK", "slack", [Participant("U01", "Carl", platform_id="U01")])
        # A Slack username declared before 0019 stays ``username`` and still matches.
        conn.execute(insert(identifiers).values(person_id=3, kind="username",
                                                platform="slack", value="u01"))
        found = matching.link_everywhere(conn, "admin")
        links = _links(conn)
    assert links[("whatsapp-text", "+44 7700 900001")] == ("PC1", "whatsapp", "phone number")
    assert links[("telegram-json", "user555001")] == ("PC2", "telegram", "Telegram user id")
    assert links[("whatsapp_android_db", "447700900001@s.whatsapp.net")] == (
        "PC1", "whatsapp", "WhatsApp JID")
    assert links[("whatsapp_android_db", "447700900077@s.whatsapp.net")] == (
        "PC5", "phone", "WhatsApp JID")  # a declared phone matches on any app
    assert links[("slack", "U01")] == ("PC3", "username", "platform id")
    # A display name never links, though PC5 and PC6 are both called Eddy Moss.
    assert ("messenger", "Eddy Moss") not in links
    assert ("telegram-json", "user555002") not in links  # Carl declared no Telegram id
    if SIGNAL_DB.is_file():
        signal = [v for (fmt, _), v in links.items() if fmt.startswith("signal")]
        assert signal == [("PC4", "signal", "phone number")]
    assert found.ambiguous == 0


def test_a_participant_matching_two_people_is_left_for_a_person(store: Store) -> None:
    with store.engine.begin() as conn:
        a = register.add_person(conn, "PC1", "Alan Grant", "Westshire")
        b = register.add_person(conn, "PC2", "Beth Jones", "Westshire")
        register.declare(conn, a, "phone", "07700 900001")
        register.declare(conn, b, "email", "shared@westshire.police.uk")
        _exhibit(conn, "EXH-X", "signal", [Participant(
            "x", "X", "+447700900001", platform_id="shared@westshire.police.uk")])
        found = matching.link_everywhere(conn, "admin")
        assert conn.scalar(select(participant_links.c.id)) is None
        action = conn.scalar(select(audit_events.c.action).order_by(audit_events.c.id.desc()))
    assert (found.linked, found.ambiguous) == (0, 1) and action == "link.auto"


def test_a_number_declared_for_one_app_is_one_persons_on_every_app(store: Store) -> None:
    with store.engine.begin() as conn:
        a = register.add_person(conn, "PC1", "Alan Grant", "Westshire")
        b = register.add_person(conn, "PC2", "Beth Jones", "Westshire")
        register.declare(conn, a, "whatsapp", "07700 900001")
        assert register.declare(conn, a, "signal", "+447700900001") == "added"
        with pytest.raises(ConductLensError, match="already declared by PC1"):
            register.declare(conn, b, "telegram", "+44 7700 900001")
        assert register.declared_phones(conn) == [(a, "+447700900001"), (a, "+447700900001")]


def test_old_identifier_rows_are_migrated_to_their_platform_kinds(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0018_queue_tags")
    old = [("phone", "whatsapp", "+447700900001"), ("phone", "any", "+447700900002"),
           ("username", "telegram", "eve"), ("username", "telegram", "123456"),
           ("username", "messenger", "eve.r"), ("username", "slack", "u01"),
           ("email", "any", "eve@example.org")]
    with engine.begin() as conn:
        conn.execute(insert(people).values(staff_number="PC9", name="Eve", force="W"))
        conn.execute(insert(identifiers), [dict(person_id=1, kind=k, platform=p, value=v)
                                           for k, p, v in old])
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rows = conn.execute(select(identifiers.c.kind, identifiers.c.value,
                                   identifiers.c.declared_on).order_by(identifiers.c.id)).all()
    engine.dispose()
    assert rows == [("whatsapp", "+447700900001", None), ("phone", "+447700900002", None),
                    ("telegram", "eve", None), ("telegram", "user123456", None),
                    ("facebook", "eve.r", None), ("username", "u01", None),
                    ("email", "eve@example.org", None)]


def test_cli_register_import_declare_list_and_match(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from conductlens.cli import staff

    app = typer.Typer()
    staff.register(app)
    db = str(tmp_path / "cli.db")
    Store.open(db).close()
    csv_file = tmp_path / "register.csv"
    csv_file.write_text("staff_number,name,force,kind,identifier,declared_on\n"
                        "PC1,Alan Grant,Westshire,whatsapp,07700 900001,2024-01-05\n"
                        "PC2,Beth Jones,Westshire,telegram,@b,2024-01-06\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["register", "import", str(csv_file), "--db", db])
    assert result.exit_code == 1  # a row was refused: said, and the exit status says so
    assert "line 3, field identifier: '@b' is not a Telegram" in result.output
    assert "2 rows read: 1 person added" in result.output
    result = runner.invoke(app, ["register", "declare", "PC1", "--kind", "signal",
                                 "--value", "alan.01", "--declared-on", "2024-02-01",
                                 "--db", db])
    assert result.exit_code == 0 and "PC1: signal added." in result.output
    result = runner.invoke(app, ["register", "declare", "PC9", "--kind", "email",
                                 "--value", "x@y.org", "--db", db])
    assert result.exit_code == 1 and "no person with staff number 'PC9'" in result.output
    result = runner.invoke(app, ["register", "list", "--json", "--db", db])
    listed = json.loads(result.output)
    assert listed[0]["identifiers"] == [
        {"kind": "whatsapp", "value": "+447700900001", "declared_on": "2024-01-05"},
        {"kind": "signal", "value": "alan.01", "declared_on": "2024-02-01"}]
    result = runner.invoke(app, ["register", "match", "--db", db])
    assert result.exit_code == 0 and "0 participants linked" in result.output
