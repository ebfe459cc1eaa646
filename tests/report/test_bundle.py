"""The evidential bundle: PDF text holds every exhibit hash and no hidden person's name; the
schedule is complete; verify catches one changed byte; each bundle is a recorded disclosure."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.review.access import ReviewSession
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events

HIDDEN = ("Beth Jones", "Carl Diaz", "Dana Fox", "07700 900003", "+447700900002")


def _decide(store: Store, world: World) -> None:
    door = ReviewSession(store.engine, world.users["investigator"], world.case_id)
    queue = door.queue()
    door.decide(queue[0].id, "relevant", "Misogynistic comment about a victim")
    for f in queue[1:]:
        door.decide(f.id, "not_relevant")


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: .ci/run installs it")
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_bundle_through_the_cli(store: Store, scoped: World, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    _decide(store, scoped)
    out = tmp_path / "bundle"
    monkeypatch.setenv("CONDUCTLENS_USER", "investigator")
    result = CliRunner().invoke(app, ["bundle", "--case", scoped.sample.reference,
                                      "--recipient", "Misconduct hearing panel",
                                      "--output", str(out), "--db", store.url])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["bundle.html", "bundle.pdf",
                                                     "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {"bundle.html", "bundle.pdf"}
    text = _pdf_text(out / "bundle.pdf")
    flat = re.sub(r"\s+", "", text)
    for sha in manifest["exhibits"].values():
        assert sha in flat
    for name in HIDDEN:
        assert name not in text and name not in (out / "bundle.html").read_text()
    assert "Alan Grant" in text  # the subject is named
    assert f"Bundle {manifest['bundle_reference']}" in text and "Page 1 of" in text
    pages = int(re.findall(r"Page \d+ of (\d+)", text)[0])
    assert text.count(f"Bundle {manifest['bundle_reference']}") == pages  # every page
    # Relied on: the exhibit and one message; unused sensitive: the PNC finding decided not
    # relevant and the material outside the scope.
    assert flat.count("relied on".replace(" ", "")) >= 2
    assert flat.count("unusedsensitive") >= 2
    assert "Misogynisticcommentaboutavictim" in flat
    assert "Standard10responses" in flat  # who was present, who challenged, who laughed
    with store.engine.connect() as conn:
        event = conn.execute(select(audit_events).where(
            audit_events.c.action == "disclosure.bundle")).mappings().one()
    assert json.loads(event["detail"])["recipient"] == "Misconduct hearing panel"
    ok = CliRunner().invoke(app, ["bundle", "verify", str(out)])
    assert ok.exit_code == 0, ok.output
    data = bytearray((out / "bundle.pdf").read_bytes())
    data[len(data) // 2] ^= 1
    (out / "bundle.pdf").write_bytes(bytes(data))
    bad = CliRunner().invoke(app, ["bundle", "verify", str(out)])
    assert bad.exit_code == 1 and "bundle.pdf: changed" in bad.output


def test_schedule_numbers_every_item_and_traces_it(store: Store, scoped: World,
                                                  tmp_path: Path) -> None:
    from conductlens.report.bundle_content import gather
    from conductlens.report.disclosure import schedule

    _decide(store, scoped)
    content = gather(store.engine, scoped.users["investigator"], scoped.case_id, "Panel", "B1")
    items = schedule(content)
    assert [i.number for i in items] == list(range(1, len(items) + 1))
    relied = [i for i in items if i.category == "relied on"]
    assert len(relied) == 2  # the exhibit and the one message relied on
    assert all(i.sha256 for i in items if i.exhibit != "all exhibits")
    withheld = [i for i in items if "outside the authorised scope" in i.description]
    assert withheld and withheld[0].category == "unused sensitive"
    assert withheld[0].disclosed_to == ""  # sensitive material is listed, not disclosed


def test_no_bundle_without_a_scope_or_for_someone_off_the_team(store: Store, world: World,
                                                               tmp_path: Path) -> None:
    from conductlens.errors import ScopeError
    from conductlens.report.bundle import write_bundle

    with pytest.raises(ScopeError):
        write_bundle(store.engine, world.users["investigator"], world.case_id, "Panel",
                     tmp_path / "a")
    assert verify_missing(tmp_path / "a")


def verify_missing(folder: Path) -> bool:
    from conductlens.report.bundle import verify_bundle

    return bool(verify_bundle(folder))


def test_the_exhibit_schedule_lists_evidence_shared_with_another_case(
    store: Store, world: World
) -> None:
    from sqlalchemy import select

    from conductlens.report.bundle_content import _exhibits
    from conductlens.review.pseudonyms import Namer
    from conductlens.review.sample import write_long_chat, write_sample
    from conductlens.store import tables as t
    from conductlens.store.groups import link_case

    write_sample(store, "PSD-2024-0002")  # the same phone first filed under another inquiry
    with store.engine.connect() as conn:
        other = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == "PSD-2024-0002"))
    shared = write_long_chat(store, int(other), count=60)
    with store.writing() as conn:
        link_case(conn, world.case_id, shared.exhibit_id, "investigator")
    with store.engine.connect() as conn:
        namer = Namer(conn, world.case_id, [])
        listed = {e.reference for e in _exhibits(conn, world.case_id, namer)}
        reference = conn.scalar(select(t.exhibits.c.reference)
                                .where(t.exhibits.c.id == shared.exhibit_id))
    assert reference in listed and len(listed) >= 2
