"""``conductlens register remove``: a declared identifier leaves the register (audited, value
not logged), links it made stand and say so, it no longer matches, and removing what was
never declared is one line. And a handle an exhibit gives (a Telegram owner's @username)
matches a declared username of that platform only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from sqlalchemy import Connection, insert, select
from typer.testing import CliRunner

from conductlens.cli import staff
from conductlens.model import Conversation, Participant
from conductlens.review import matching, register
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events, identifiers, participant_links
from conductlens.store.writes import ExhibitWriter

JID = "447700900001@s.whatsapp.net"


def _exhibit(conn: Connection, reference: str) -> None:
    eid = int(conn.execute(insert(t.exhibits).values(
        reference=reference, original_name=f"{reference}.db", sha256=reference.ljust(64, "0"),
        size=1, format="whatsapp_android_db", stored_path="", added_by="test",
        added_at=datetime.now(UTC))).inserted_primary_key[0])
    writer = ExhibitWriter(conn, eid, "whatsapp_android_db", None)
    writer.add(Conversation("c1", "whatsapp", "Team chat", True))
    writer.add(Participant(JID, "Al", None, platform_id=JID))
    writer.finish()


def _run(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    staff.register(app)
    result = CliRunner().invoke(app, ["register", *args])
    return result.exit_code, result.output


def test_remove_keeps_its_links_and_stops_matching(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    store = Store.open(db)
    with store.engine.begin() as conn:
        pid = register.add_person(conn, "PC1", "Alan Grant", "Westshire")
        register.declare(conn, pid, "whatsapp", "07700 900001")
        _exhibit(conn, "EXH-1")
        assert matching.link_everywhere(conn, "admin").linked == 1
    code, out = _run("remove", "PC1", "--kind", "whatsapp", "--value", JID, "--db", db)
    assert code == 0 and "PC1: whatsapp removed; the 1 participant link(s) it made stand" in out
    with store.engine.connect() as conn:
        assert conn.scalar(select(identifiers.c.id)) is None
        assert conn.scalar(select(participant_links.c.identifier_id)) is None
        (source,) = register.link_sources(conn, person_id=pid)
        row = conn.execute(select(audit_events.c.username, audit_events.c.detail).where(
            audit_events.c.action == "register.remove")).one()
    assert "since removed from the register, on the participant's WhatsApp JID" in source.how
    assert row[0].startswith("cli:") and json.loads(row[1]) == {"kind": "whatsapp",
                                                                "links_kept": 1}
    assert "7700" not in row[1]  # the value itself is not logged
    with store.engine.begin() as conn:
        _exhibit(conn, "EXH-2")
        assert matching.link_everywhere(conn, "admin").linked == 0  # no longer declared
        other = register.add_person(conn, "PC2", "Beth Jones", "Westshire")
        assert register.declare(conn, other, "phone", "07700 900001") == "added"  # freed
    store.close()


def test_removing_what_was_never_declared_is_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    store = Store.open(db)
    with store.engine.begin() as conn:
        pid = register.add_person(conn, "PC1", "Alan Grant", "Westshire")
        register.declare(conn, pid, "telegram", "@alan_g")
    store.close()
    code, out = _run("remove", "PC1", "--kind", "telegram", "--value", "@someone_else",
                     "--db", db)
    assert code == 1 and out == "error: PC1 has not declared Telegram someone_else (see " \
                                "register list)\n"
    code, out = _run("remove", "PC9", "--kind", "telegram", "--value", "@alan_g", "--db", db)
    assert code == 1 and "no person with staff number 'PC9'" in out
    code, out = _run("remove", "PC1", "--kind", "phone", "--value", "nonsense", "--db", db)
    assert code == 1 and "not a valid phone number" in out and out.count("\n") == 1
    code, out = _run("remove", "PC1", "--kind", "telegram", "--value", "t.me/Alan_G",
                     "--db", db)
    assert code == 0 and "PC1: telegram removed." in out  # written in any declared form


def test_a_telegram_owners_username_matches_a_declared_username(tmp_path: Path) -> None:
    from conductlens.ingest.pipeline import ingest_path

    export = tmp_path / "result.json"
    export.write_text(json.dumps({
        "personal_information": {"user_id": 555001, "first_name": "Alan", "last_name": "G",
                                 "username": "Alan_G"},
        "chats": {"list": [{"name": "Team B", "type": "private_group", "id": 42, "messages": [
            {"id": 1, "type": "message", "date": "2024-03-01T09:00:00", "from": "Alan G",
             "from_id": "user555001", "text": "morning"},
            {"id": 2, "type": "message", "date": "2024-03-01T09:01:00", "from": "Alan",
             "from_id": "user555002", "text": "hi"}]}]}}), encoding="utf-8")
    store = Store.open(str(tmp_path / "h.db"))
    with store.engine.begin() as conn:
        pid = register.add_person(conn, "PC1", "Alan Grant", "Westshire")
        register.declare(conn, pid, "telegram", "@alan_g")
        other = register.add_person(conn, "PC2", "Alan Other", "Westshire")
        register.declare(conn, other, "instagram", "alan_g")  # another platform's handle
    ingest_path(store, export, added_by="test")
    with store.engine.begin() as conn:
        assert matching.link_everywhere(conn, "admin").linked == 1
        (source,) = register.link_sources(conn)
        handles = dict(conn.execute(select(t.participants.c.key, t.participants.c.handle)).all())
    store.close()
    assert handles == {"user555001": "Alan_G", "user555002": None}  # only the owner's is known
    assert (source.person_id, source.matched_on) == (pid, "username")
    assert "declared Telegram identifier" in source.how
