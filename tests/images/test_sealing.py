"""The stop for suspected indecent images of children: a child-abuse list match seals the
picture wherever it was shared, refers the case with the time, and is audited."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.images.imagepass import run_image_pass
from conductlens.images.pdq import pdq_of
from conductlens.images.sealing import WITHHELD, is_sealed
from conductlens.images.synthetic import scene
from conductlens.images.thumbnails import SealedImage, thumbnail
from conductlens.review.audit import verify_chain
from conductlens.store import tables as t
from conductlens.store.tables_images import image_referrals, image_text, sealed_images
from conductlens.store.tables_review import audit_events

runner = CliRunner()
SEALED_NAME = "IMG-20240306-WA0002.jpg"


def _list(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "caid.csv"
    path.write_text("hash_type,hash,category,source\n" + rows, encoding="utf-8")
    return path


def _seal_by_sha256(p: Any, tmp_path: Path) -> str:
    sha = hashlib.sha256(p.files[SEALED_NAME]).hexdigest()
    path = _list(tmp_path, f"sha256,{sha},child-abuse,specialist team\n")
    result = runner.invoke(app, ["hashes", "import", str(path), "--list", "CAID extract",
                                 "--db", p.store.url])
    assert result.exit_code == 0, result.output
    return sha


def _carrier(conn: Connection, sha: str) -> int:
    return int(conn.scalar(select(t.attachments.c.message_id)
                           .where(t.attachments.c.sha256 == sha)) or 0)


def test_a_child_abuse_match_seals_refers_and_is_audited(with_pictures: Any,
                                                         tmp_path: Path) -> None:
    run_image_pass(with_pictures.store, steps=iter(()))
    sha = _seal_by_sha256(with_pictures, tmp_path)
    with with_pictures.store.engine.connect() as conn:
        assert is_sealed(conn, sha)
        referral = conn.execute(select(image_referrals)).mappings().one()
        assert referral["case_id"] is not None and referral["referred_at"] is not None
        assert "specialist" in referral["referred_to"]
        found = conn.execute(select(t.findings).where(
            t.findings.c.message_id == _carrier(conn, sha))).mappings().all()
        assert [f["category"] for f in found] == ["image-sealed"]
        assert "not shown, thumbnailed or exported" in found[0]["explanation"]
        event = conn.execute(select(audit_events).where(
            audit_events.c.action == "image.sealed")).mappings().one()
        assert event["case_id"] == referral["case_id"]
        assert verify_chain(conn).ok


def test_a_pdq_match_on_a_child_abuse_list_seals_too(with_pictures: Any, tmp_path: Path) -> None:
    run_image_pass(with_pictures.store, steps=iter(()))
    near = pdq_of(scene(2).resize((320, 240))).hex
    path = _list(tmp_path, f"pdq,{near},,\n")
    result = runner.invoke(app, ["hashes", "import", str(path), "--list", "CAID pdq",
                                 "--category", "child-abuse", "--db", with_pictures.store.url])
    assert result.exit_code == 0 and "1 sealed" in result.output, result.output
    with with_pictures.store.engine.connect() as conn:
        assert conn.scalar(select(sealed_images.c.reason)).startswith("Matched list 'CAID pdq'")


def test_a_sealed_picture_is_never_read_for_text_or_classified(with_pictures: Any,
                                                                tmp_path: Path) -> None:
    sha = _seal_by_sha256(with_pictures, tmp_path)  # list first: sealed on the first pass
    seen: list[str] = []

    def probe(_conn: Connection, _store: Any, shas: list[str]) -> int:
        seen.extend(shas)
        return 0

    summary = run_image_pass(with_pictures.store, steps=iter([("probe", probe)]))
    assert summary.sealed == 1 and seen and sha not in seen


def test_text_read_before_a_seal_is_withheld(with_pictures: Any, tmp_path: Path) -> None:
    from conductlens.images.ocr import Region, _policy_findings
    run_image_pass(with_pictures.store, steps=iter(()))
    sha = hashlib.sha256(with_pictures.files[SEALED_NAME]).hexdigest()
    with with_pictures.store.engine.begin() as conn:
        conn.execute(image_text.insert().values(sha256=sha, engine="test", region="[0,0,9,9]",
                                                text="vermin", confidence=1.0))
        from conductlens.detect.policy import load_policy
        assert _policy_findings(conn, sha, [Region((0, 0, 600, 60),
                                "those immigrants are vermin", 1.0)], load_policy(None))
    _seal_by_sha256(with_pictures, tmp_path)
    with with_pictures.store.engine.connect() as conn:
        assert conn.scalar(select(image_text.c.id).where(image_text.c.sha256 == sha)) is None
        ocr = conn.execute(select(t.findings.c.explanation).where(
            t.findings.c.detector == "ocr")).scalars().all()
        assert ocr and all(e == WITHHELD for e in ocr)


def test_a_sealed_picture_is_never_thumbnailed() -> None:
    with pytest.raises(SealedImage):
        thumbnail(b"anything at all", sealed=True, blurred=True)


def test_sealed_items_appear_nowhere_in_the_exported_hash_list_or_messages(
        with_pictures: Any, tmp_path: Path) -> None:
    _seal_by_sha256(with_pictures, tmp_path)
    out = tmp_path / "messages.jsonl"
    result = runner.invoke(app, ["export-messages", "--format", "jsonl", "--output", str(out),
                                 "--db", with_pictures.store.url, "--reason", "test"])
    assert result.exit_code == 0, result.output
    data = with_pictures.files[SEALED_NAME]
    assert data not in out.read_bytes()  # exports carry the file's reference, never its bytes
