"""Names in a disclosure follow the recipient's approvals: a bystander unmasked for the case's
reviewers stays a pseudonym in a bundle or RSMF export for a recipient with no approval; a
name approved for one recipient appears only for that recipient; an approval needs a second
person; every step is audited."""

from __future__ import annotations

import email
import io
import json
import shutil
import subprocess
import zipfile
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.errors import ConductLensError
from conductlens.review import pseudonyms, recipients
from conductlens.review.access import Forbidden, ReviewSession
from conductlens.review.door import CaseDoor
from conductlens.review.pseudonyms import Namer
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events

PANEL = "Misconduct panel"
FEDERATION = "Federation representative for PC1001"
BETH, CARL = "Beth Jones", "Carl Diaz"
WHY = "The panel must know who challenged the remark at the time"


def _number(store: Store, world: World, name: str) -> int:
    with store.engine.begin() as conn:
        pid = conn.scalar(select(t.participants.c.id).where(
            t.participants.c.exhibit_id == world.sample.exhibit_id,
            t.participants.c.name == name))
        return Namer(conn, world.case_id, ()).number(int(pid))


def _door(store: Store, world: World, who: str) -> CaseDoor:
    return CaseDoor(store.engine, world.users[who], world.case_id)


def _decide_findings(store: Store, world: World) -> None:
    door = ReviewSession(store.engine, world.users["investigator"], world.case_id)
    queue = door.queue()
    door.decide(queue[0].id, "relevant", "Misogynistic comment about a victim")


def _unmask_for_reviewers(store: Store, world: World, number: int) -> None:
    rid = _door(store, world, "investigator").request_unmask(number, "Needed to interview her")
    _door(store, world, "supervisor").decide_unmask(rid, True, "Agreed for the review")


def _approve(store: Store, world: World, recipient: str, number: int) -> int:
    aid = _door(store, world, "investigator").propose_recipient_name(recipient, number, WHY)
    _door(store, world, "supervisor").decide_recipient_name(aid, "approve", "Necessary")
    return aid


def _bundle_text(store: Store, world: World, recipient: str, out: Path) -> str:
    """The bundle's HTML and PDF text, written by ``conductlens bundle`` as the investigator."""
    result = CliRunner().invoke(app, ["bundle", "--case", world.sample.reference,
                                      "--recipient", recipient, "--output", str(out),
                                      "--db", store.url, "--as", "investigator"])
    assert result.exit_code == 0, result.output
    text = (out / "bundle.html").read_text(encoding="utf-8")
    if shutil.which("pdftotext"):
        text += subprocess.run(["pdftotext", str(out / "bundle.pdf"), "-"], check=True,
                               capture_output=True, text=True).stdout
    return text


def _events(store: Store, action: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(audit_events).where(
            audit_events.c.action == action).order_by(audit_events.c.id)).mappings()]


def test_reviewers_unmasking_never_reaches_a_bundle(store: Store, scoped: World,
                                                   tmp_path: Path) -> None:
    _decide_findings(store, scoped)
    _unmask_for_reviewers(store, scoped, _number(store, scoped, BETH))
    _, context = ReviewSession(store.engine, scoped.users["investigator"],
                               scoped.case_id).finding(scoped.sample.finding_ids[0])
    assert any(m.sender.label == BETH for m in context)  # the reviewers see her name
    text = _bundle_text(store, scoped, PANEL, tmp_path / "b")
    assert "proper slag" in text and "Alan Grant" in text  # the subject is named
    assert BETH not in text and "Beth" not in text and CARL not in text
    assert f"Participant {_number(store, scoped, BETH):02d}" in text
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["names_approved"] == []
    assert "None: everyone who is not a subject appears as a pseudonym" in text  # the cover


def test_an_approved_name_appears_only_for_its_recipient(store: Store, scoped: World,
                                                        tmp_path: Path) -> None:
    _decide_findings(store, scoped)
    beth = _number(store, scoped, BETH)
    aid = _approve(store, scoped, PANEL, beth)
    # Matched with spaces collapsed and case folded.
    panel = _bundle_text(store, scoped, "  misconduct   PANEL ", tmp_path / "panel")
    assert BETH in panel and CARL not in panel
    manifest = json.loads((tmp_path / "panel" / "manifest.json").read_text())
    assert [(a["approval"], a["pseudonym"], a["approved_by"])
            for a in manifest["names_approved"]] == [(aid, f"Participant {beth:02d}",
                                                      "supervisor")]
    other = _bundle_text(store, scoped, FEDERATION, tmp_path / "fed")
    assert BETH not in other and "Beth" not in other
    bundles = _events(store, "disclosure.bundle")
    assert [json.loads(b["object_ids"])["recipient_name"] for b in bundles] == [[aid], []]
    assert json.loads(bundles[0]["detail"])["names_approved"] == [f"Participant {beth:02d}"]


def test_approval_needs_a_second_person_and_is_audited(store: Store, scoped: World) -> None:
    beth = _number(store, scoped, BETH)
    inv = _door(store, scoped, "investigator")
    aid = inv.propose_recipient_name(PANEL, beth, WHY)
    with pytest.raises(Forbidden):
        inv.decide_recipient_name(aid, "approve", "I approve my own")
    with store.engine.begin() as conn, pytest.raises(ConductLensError, match="second person"):
        recipients.decide(conn, scoped.case_id, aid, "investigator", "approve", "Mine, fine")
    with pytest.raises(ConductLensError, match="already proposed"):
        inv.propose_recipient_name(PANEL.upper(), beth, WHY)
    with pytest.raises(ConductLensError, match="explain"):
        inv.propose_recipient_name(FEDERATION, beth, "because")
    with pytest.raises(ConductLensError, match="no such participant"):
        inv.propose_recipient_name(FEDERATION, 99, WHY)
    sup = _door(store, scoped, "supervisor")
    with pytest.raises(Forbidden):
        sup.propose_recipient_name(PANEL, beth, WHY)
    with store.engine.connect() as conn:
        assert recipients.approved_for(conn, scoped.case_id, PANEL) == []  # not yet
    sup.decide_recipient_name(aid, "approve", "Necessary for the hearing")
    refused = inv.propose_recipient_name(FEDERATION, beth, WHY)
    sup.decide_recipient_name(refused, "refuse", "Not needed for representation")
    with pytest.raises(ConductLensError, match="cannot be approved"):
        sup.decide_recipient_name(refused, "approve", "Changed my mind")
    with store.engine.connect() as conn:
        assert recipients.recipients(conn, scoped.case_id) == [PANEL]
        assert recipients.approved_for(conn, scoped.case_id, FEDERATION) == []
    sup.decide_recipient_name(aid, "revoke", "The hearing was adjourned")
    with store.engine.connect() as conn:
        assert recipients.approved_for(conn, scoped.case_id, PANEL) == []
    actions = [e["action"] for e in _events(store, "recipient_name.propose")
               + _events(store, "recipient_name.approve")
               + _events(store, "recipient_name.refuse") + _events(store, "recipient_name.revoke")]
    assert actions == ["recipient_name.propose"] * 2 + ["recipient_name.approve",
                                                        "recipient_name.refuse",
                                                        "recipient_name.revoke"]
    approve = _events(store, "recipient_name.approve")[0]
    assert approve["username"] == "supervisor"
    assert json.loads(approve["object_ids"]) == {"recipient_name": [aid]}
    assert json.loads(approve["detail"]) == {"recipient": PANEL, "pseudonym": beth}


def test_a_case_off_the_team_cannot_be_given_recipient_names(store: Store, scoped: World
                                                             ) -> None:
    from conductlens.errors import ScopeError

    with pytest.raises(ScopeError):
        CaseDoor(store.engine, scoped.users["investigator"], scoped.case_id + 99
                 ).propose_recipient_name(PANEL, 1, WHY)
    with pytest.raises(ScopeError):
        _door(store, scoped, "supervisor").decide_recipient_name(12345, "approve", "Agreed")


def _rsmf(store: Store, world: World, out: Path, *recipient: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["export-rsmf", "--case", world.sample.reference,
                                      "--output", str(out), "--db", store.url,
                                      *(("--recipient", recipient[0]) if recipient else ())])
    assert result.exit_code == 0, result.output
    parsed = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    part = next(iter(parsed.iter_attachments()))  # type: ignore[attr-defined]
    with zipfile.ZipFile(io.BytesIO(part.get_content())) as zf:
        manifest: dict[str, Any] = json.loads(zf.read("rsmf_manifest.json"))
    manifest["_approved_header"] = parsed["X-ConductLens-Names-Approved"]
    return manifest


def test_rsmf_participants_follow_the_recipients_approvals(
        store: Store, scoped: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONDUCTLENS_USER", "investigator")
    beth = _number(store, scoped, BETH)
    _unmask_for_reviewers(store, scoped, beth)
    plain = _rsmf(store, scoped, tmp_path / "a.rsmf")  # the default recipient: no approvals
    shown = json.dumps(plain, ensure_ascii=False)
    assert BETH not in shown and "Beth" not in shown and plain["_approved_header"] == "none"
    assert f"Participant {beth:02d}" in {p["display"] for p in plain["participants"]}
    aid = _approve(store, scoped, PANEL, beth)
    panel = _rsmf(store, scoped, tmp_path / "b.rsmf", PANEL)
    displays = {p["display"] for p in panel["participants"]}
    assert BETH in displays and "Alan Grant" in displays and CARL not in displays
    assert panel["_approved_header"] == f"Participant {beth:02d} (approval {aid})"
    other = _rsmf(store, scoped, tmp_path / "c.rsmf", FEDERATION)
    assert BETH not in json.dumps(other, ensure_ascii=False)
    exports = _events(store, "disclosure.rsmf")
    assert [json.loads(e["object_ids"])["recipient_name"] for e in exports] == [[], [aid], []]


def test_unmask_requests_and_recipient_names_are_separate(store: Store, scoped: World) -> None:
    """An approval for a recipient does not unmask anyone for the case's reviewers."""
    beth = _number(store, scoped, BETH)
    _approve(store, scoped, PANEL, beth)
    with store.engine.begin() as conn:
        assert pseudonyms.unmask_list(conn, scoped.case_id) == []
    people = ReviewSession(store.engine, scoped.users["investigator"], scoped.case_id).people()
    assert BETH not in {p.label for p in people}
