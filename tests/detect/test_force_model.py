"""``models train --from-decisions``: a force model learnt from reviewers' decisions in a
small generated store, held-back metrics above chance, the baseline untouched."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.detect.classifier import MANIFEST, sha256_file
from conductlens.detect.evaluate_register import force_rows, other_baseline
from conductlens.detect.force_model import CATEGORY, MIN_MESSAGES
from conductlens.detect.policy import BASELINE, load_policy
from conductlens.detect.scan import check_text
from conductlens.model import Conversation, Message, MessageKind, Participant, SourceRef, Timestamp
from conductlens.review import scope
from conductlens.review._ids import inserted_id
from conductlens.review.custodian import CustodianSession
from conductlens.review.sample import World, seed_world
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import decisions
from conductlens.store.writes import ExhibitWriter

REFERENCE = "PSD-2024-0001"
OPENERS = ("right lads", "fyi", "heads up", "morning all", "quick one", "ok so", "listen",
           "btw", "honestly", "just saying")
# What this force's reviewers found relevant, and what they dismissed as not relevant.
RELEVANT = ("switch your camera off before you go in", "wipe the group before the inspector "
            "checks phones", "give him a slap in the van where nobody sees",
            "keep the seized cash for the christmas do", "tell the complainant to stop moaning "
            "or we lose her file")
NOT_RELEVANT = ("the van keys are on the hook by the door", "briefing moved to the parade "
                "room at ten", "overtime forms are due in by friday", "the custody printer is "
                "jammed again", "canteen closes early on the bank holiday")
TAILS = ("cheers", "ta", "", "thanks", "👍")


def _texts(phrases: tuple[str, ...], salt: int) -> list[str]:
    out = []
    for i, opener in enumerate(OPENERS):
        for j, phrase in enumerate(phrases):
            out.append(f"{opener} {phrase} {TAILS[(i + j + salt) % len(TAILS)]}".strip())
    return out


def _exhibit(store: Store, world: World, texts: list[str], day: int) -> tuple[int, list[int]]:
    with store.engine.begin() as conn:
        eid = inserted_id(conn.execute(insert(t.exhibits).values(
            reference=f"EXH-F{day:04d}", case_id=world.case_id, original_name="force.txt",
            sha256=hashlib.sha256(str(day).encode()).hexdigest(), size=1, format="sample",
            stored_path="", added_by="sample", added_at=datetime.now(UTC))))
        writer = ExhibitWriter(conn, int(eid), "whatsapp", None)
        writer.add(Conversation("f", "whatsapp", "Late Turn", True))
        writer.add(Participant("k3", "Carl Diaz", "+447700900003"))
        start = datetime(2024, 3, day, 8, 0)
        for n, text in enumerate(texts):
            body = f"Carl Diaz: {text}" if n % 7 == 0 else text
            writer.add(Message("f", "k3", Timestamp(local=start + timedelta(minutes=n)),
                               MessageKind.TEXT, body, body, SourceRef(path="f.txt", line=n),
                               key=f"f{n}"))
        writer.finish()
        conv = int(conn.scalar(select(t.conversations.c.id)
                               .where(t.conversations.c.exhibit_id == eid)) or 0)
        ids = list(conn.scalars(select(t.messages.c.id).where(t.messages.c.exhibit_id == eid)
                                .order_by(t.messages.c.seq)))
    return conv, ids


def _decide(store: Store, world: World, ids: list[int], relevant: list[bool]) -> None:
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        eid = conn.scalar(select(t.messages.c.exhibit_id).where(t.messages.c.id == ids[0]))
        for mid, is_relevant in zip(ids, relevant, strict=True):
            fid = inserted_id(conn.execute(insert(t.findings).values(
                message_id=mid, exhibit_id=eid, category="bullying",
                standards=json.dumps(["Discreditable conduct"]), severity="medium", score=0.6,
                detector="sample", spans="[]", explanation="sample", policy_version="s-1",
                created_at=now)))
            # A first, changed mind: only the latest decision counts.
            for decision in ("needs_context", "relevant" if is_relevant else "not_relevant"):
                conn.execute(insert(decisions).values(
                    case_id=world.case_id, finding_id=fid, decision=decision,
                    username="investigator", created_at=now))


def _store(tmp_path: Path, relevant: int = len(OPENERS), dismissed: int = len(OPENERS)) -> str:
    """The sample case plus a decided chat on 6 March (in scope) and one on 20 March (out)."""
    store = Store.open(str(tmp_path / "f.db"))
    world = seed_world(store)
    good = _texts(RELEVANT, 0)[: relevant * len(RELEVANT)]
    bad = _texts(NOT_RELEVANT, 1)[: dismissed * len(NOT_RELEVANT)]
    conv, ids = _exhibit(store, world, good + bad, 6)
    _decide(store, world, ids, [True] * len(good) + [False] * len(bad))
    _, late = _exhibit(store, world, ["OUTSIDE THE SCOPE " + x for x in good], 20)
    _decide(store, world, late, [True] * len(late))
    with store.engine.begin() as conn:
        sid = scope.propose(conn, world.case_id, "investigator",
                            subjects=[world.person_ids["PC1001"]], conversations=[conv],
                            date_from=date(2024, 3, 5), date_to=date(2024, 3, 15),
                            categories=[], rationale="The late turn group in early March only.")
        scope.authorise(conn, sid, "supervisor", "Necessary and proportionate.")
    store.close()
    return str(tmp_path / "f.db")


def _train(db: str, output: Path) -> object:
    return CliRunner().invoke(app, [
        "models", "train", "--from-decisions", "--db", db, "--case", REFERENCE,
        "--output", str(output), "--datasets", str(output / "no-public-sets")])


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, str]:
    folder = tmp_path_factory.mktemp("force")
    shipped = sha256_file(BASELINE.parent / "models" / MANIFEST)
    db = _store(folder)
    result = _train(db, folder / "out")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return db, folder / "out", shipped


def _entry(output: Path, version: str) -> dict[str, object]:
    manifest = json.loads((output / "models" / MANIFEST).read_text(encoding="utf-8"))
    entry: dict[str, object] = manifest["models"][version]
    return entry


def test_learns_from_held_back_decisions(trained: tuple[str, Path, str]) -> None:
    _, output, _ = trained
    entry = _entry(output, "force-decisions-1")
    assert entry["decisions"] == {  # only the in-scope chat: 50 relevant, 50 not
        "messages": 100, "relevant": 50, "train": 76, "held_back": 24,
        "categories": {"bullying": 100}}
    held = entry["metrics"]["held_back"]  # type: ignore[index]
    mine = held["force model"]
    assert mine["n"] == 24 and mine["chance_accuracy"] == 0.5
    assert mine["auc"] >= 0.9 and mine["accuracy"] > mine["chance_accuracy"] + 0.3
    assert held["national baseline"]["n"] == 24
    assert set(entry["metrics"]) >= {"police_register/validation",  # type: ignore[arg-type]
                                     "benign_police.txt"}
    assert entry["sha256"] == sha256_file(output / "models" / "force-decisions-1.npz")


def test_force_policy_uses_the_model_and_leaves_the_baseline(
    trained: tuple[str, Path, str]
) -> None:
    _, output, shipped = trained
    force = load_policy(output / "force-decisions-1.yaml")
    baseline = load_policy()
    assert CATEGORY in {c.id for c in force.categories}
    assert CATEGORY not in {c.id for c in baseline.categories}
    assert {c.id for c in baseline.categories} < {c.id for c in force.categories}
    assert sha256_file(BASELINE.parent / "models" / MANIFEST) == shipped
    text = "heads up wipe the group before the inspector checks phones"
    assert CATEGORY in {f.category for f in check_text(force, text)}
    assert CATEGORY not in {f.category for f in check_text(force, "briefing in the parade room")}
    assert other_baseline(force) is not None and other_baseline(baseline) is None
    systems = {system for _, system, _ in force_rows(force)}
    assert systems == {"force model", "national baseline"}


def test_reads_are_audited_masked_and_in_scope(trained: tuple[str, Path, str]) -> None:
    db, _, _ = trained
    store = Store.open(db)
    try:
        found = CustodianSession(store, "test").decided_messages(REFERENCE, {})
        from conductlens.review.audit import export_rows

        with store.engine.connect() as conn:
            events = [r for r in export_rows(conn) if r["action"] == "cli.train"]
    finally:
        store.close()
    assert len(found) == 100 and not any("OUTSIDE" in d.text for d in found)
    assert not any("Carl Diaz" in d.text for d in found)
    assert any(d.text.startswith(("[name withheld]", "Participant")) for d in found)
    assert len(events) == 2  # the training run, then this read
    detail = json.loads(str(events[0]["detail"]))
    assert detail["decided_findings"] == 100 and detail["case"] == REFERENCE
    assert not any(phrase in str(events[0]) for phrase in RELEVANT + NOT_RELEVANT)


def test_a_second_run_is_a_new_version(trained: tuple[str, Path, str]) -> None:
    db, output, _ = trained
    result = _train(db, output)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    first, second = _entry(output, "force-decisions-1"), _entry(output, "force-decisions-2")
    assert (output / "force-decisions-1.yaml").exists()
    assert first["sha256"] == second["sha256"]  # same decisions, same bytes (deterministic)
    assert first["metrics"] == second["metrics"]


def test_too_few_decisions_are_refused(tmp_path: Path) -> None:
    db = _store(tmp_path, relevant=1, dismissed=10)
    result = _train(db, tmp_path / "out")
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert "55 decided messages (5 relevant, 50 not relevant)" in message
    assert f"at least {MIN_MESSAGES}" in message and "10 relevant" in message
    assert not (tmp_path / "out" / "models").exists()


def test_a_tampered_force_model_is_refused(trained: tuple[str, Path, str], tmp_path: Path
                                           ) -> None:
    import shutil

    from conductlens.detect.base import PolicyError
    from conductlens.detect.scan import Scanner

    _, output, _ = trained
    copy = tmp_path / "copy"
    shutil.copytree(output, copy)
    weights = copy / "models" / "force-decisions-1.npz"
    data = bytearray(weights.read_bytes())
    data[-40] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(PolicyError, match="force-decisions-1.npz"):
        Scanner.build(load_policy(copy / "force-decisions-1.yaml"))
