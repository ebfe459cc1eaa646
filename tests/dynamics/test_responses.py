"""Responses to a message in a text export: every present member gets one label."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection

from conductlens.dynamics import Dynamics, Window, as_record, store_texts
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store

PostId = Callable[[str], int]


def _record(conn: Connection, post_id: PostId, window: Window | None = None
            ) -> dict[str, object]:
    incident = post_id("Another car")
    ((group, found),) = Dynamics(conn, store_texts(conn)).responses([incident], window or Window())
    return as_record(conn, group, found)


def test_each_present_member_is_labelled_once(conn: Connection, post_id: PostId) -> None:
    rec = _record(conn, post_id)
    assert rec["sender"] == "PC Tom Reid"
    assert rec["endorsed"] == ["PC Amy Shah", "PC Dan Wood"]
    assert rec["challenged"] == ["PC Ben Cole"]
    assert rec["neutral"] == ["Sgt Rachel Hughes"]
    assert rec["silent"] == ["Liam Corbett"]
    assert rec["left"] == ["PC Ben Cole"]
    labelled = [n for k in ("endorsed", "challenged", "neutral", "silent")
                for n in rec[k]]  # type: ignore[attr-defined]
    assert sorted(labelled) == sorted(n for n in rec["present"]  # type: ignore[attr-defined]
                                      if n != "PC Tom Reid")


def test_late_challenge_is_shown_but_not_counted(conn: Connection, post_id: PostId) -> None:
    rec = _record(conn, post_id)
    assert rec["late_challenged"] == ["Liam Corbett"]
    assert "Liam Corbett" not in rec["challenged"]  # type: ignore[operator]


def test_evidence_names_the_messages(conn: Connection, post_id: PostId) -> None:
    rec = _record(conn, post_id)
    evidence = rec["evidence"]
    assert isinstance(evidence, dict)
    challenge = post_id("Not funny mate")
    assert challenge in evidence["PC Ben Cole"]
    assert len(evidence["PC Ben Cole"]) == 2  # the challenge and the system line of leaving
    assert "Liam Corbett" in evidence  # the late challenge, marked late
    assert all(str(i).startswith("late:") for i in evidence["Liam Corbett"])


def test_a_shorter_window_counts_fewer(conn: Connection, post_id: PostId) -> None:
    rec = _record(conn, post_id, Window(messages=2, minutes=120))
    assert rec["endorsed"] == ["PC Amy Shah", "PC Dan Wood"]
    assert rec["challenged"] == [] and rec["left"] == []
    assert "PC Ben Cole" in rec["silent"]  # type: ignore[operator]
    rec = _record(conn, post_id, Window(messages=30, minutes=3))
    assert rec["challenged"] == [] and rec["endorsed"] == ["PC Amy Shah", "PC Dan Wood"]


def test_member_who_joined_after_is_not_present(conn: Connection, post_id: PostId) -> None:
    rec = _record(conn, post_id)
    assert "PC Zoe King" not in rec["present"]  # type: ignore[operator]


def test_an_endorsement_naming_another_member_answers_them(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with T.txt"
    chat.write_text(
        "02/03/2026, 07:00 - Sgt Rachel Hughes created group \"T\"\n"
        "02/03/2026, 07:00 - Sgt Rachel Hughes added PC Tom Reid, PC Amy Shah and PC Dan Wood\n"
        "02/03/2026, 22:00 - PC Tom Reid: that victim was a proper slag, deserved it\n"
        "02/03/2026, 22:02 - PC Dan Wood: passed my driving course today\n"
        "02/03/2026, 22:03 - PC Amy Shah: nice one Dan 😂\n", encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}", tmp_path / "x")
    ingest_path(store=store, path=chat)
    with store.engine.connect() as conn:
        ((group, found),) = Dynamics(conn, store_texts(conn)).responses([3], Window())
        rec = as_record(conn, group, found)
    assert rec["endorsed"] == [] and rec["neutral"] == ["PC Amy Shah", "PC Dan Wood"]
