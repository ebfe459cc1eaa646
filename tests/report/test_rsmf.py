"""RSMF 2.0 export: an RFC 5322 file with one rsmf.zip whose manifest validates against
Relativity's published schema, in scope only, pseudonyms applied, recorded as a disclosure."""

from __future__ import annotations

import email
import io
import json
import zipfile
from datetime import datetime
from email import policy
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.report.rsmf import SCHEMA
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events

HIDDEN = ("Beth Jones", "Carl Diaz", "Dana Fox", "07700 900003")


def _react_and_leave(store: Store, world: World) -> None:
    with store.engine.begin() as conn:
        mids = world.sample.message_ids
        senders = dict(conn.execute(select(t.messages.c.id, t.messages.c.sender_id)
                                    .where(t.messages.c.id.in_(mids))).all())
        conn.execute(insert(t.reactions).values(
            exhibit_id=world.sample.exhibit_id, conversation_id=world.sample.group_id,
            message_key="m2", message_id=mids[1], sender_id=senders[mids[3]], emoji="😂",
            source="test"))
        conn.execute(insert(t.membership_events).values(
            exhibit_id=world.sample.exhibit_id, conversation_id=world.sample.group_id, seq=99,
            kind="left", actor_id=senders[mids[2]], ts_local=datetime(2024, 3, 10, 9),
            source="test"))


def _manifest(path: Path) -> tuple[email.message.Message, dict[str, object]]:
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    parts = [p for p in parsed.iter_attachments()]  # type: ignore[attr-defined]
    assert [p.get_filename() for p in parts] == ["rsmf.zip"]
    with zipfile.ZipFile(io.BytesIO(parts[0].get_content())) as zf:
        assert zf.namelist() == ["rsmf_manifest.json"]
        return parsed, json.loads(zf.read("rsmf_manifest.json"))


def test_export_validates_and_keeps_to_the_scope(store: Store, scoped: World, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _react_and_leave(store, scoped)
    out = tmp_path / "case.rsmf"
    monkeypatch.setenv("CONDUCTLENS_USER", "investigator")
    result = CliRunner().invoke(app, ["export-rsmf", "--case", scoped.sample.reference,
                                      "--output", str(out), "--db", store.url])
    assert result.exit_code == 0, result.output
    parsed, manifest = _manifest(out)
    assert parsed["X-RSMF-Version"] == "2.0.0"
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(manifest)
    events = manifest["events"]
    assert isinstance(events, list)
    bodies = " ".join(str(e.get("body", "")) for e in events)
    assert "proper slag" in bodies  # in scope (6 March, the group)
    assert "custody photo" not in bodies and "Elm Road" not in bodies  # outside the scope
    shown = json.dumps(manifest, ensure_ascii=False)
    for name in HIDDEN:
        assert name not in shown
    assert "Alan Grant" in shown
    assert any(e.get("reactions") == [{"value": "😂", "count": 1, "participants": [
        e2["participant"] for e2 in events if "haha classic" in str(e2.get("body"))][:1]}]
        for e in events)
    assert any(e["type"] == "leave" for e in events)
    with store.engine.connect() as conn:
        assert conn.scalar(select(audit_events.c.id).where(
            audit_events.c.action == "disclosure.rsmf")) is not None


def test_a_broken_manifest_is_refused_by_the_schema() -> None:
    from conductlens.errors import ConductLensError
    from conductlens.report.rsmf import validate_manifest

    with pytest.raises(ConductLensError, match="events/0/type"):
        validate_manifest({"version": "2.0.0", "participants": [{"id": "P1"}],
                           "conversations": [], "events": [{"type": "shout"}]})
