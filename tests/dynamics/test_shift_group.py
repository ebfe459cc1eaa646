"""A generated shift group shaped like the held-out ones: a text export, 14 members over five
weeks, founders nobody adds on record, joins and leaves, a dozen incidents with endorsements,
challenges and neutral chatter interleaved. Phrases here are not in the register set."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from conductlens.dynamics import Dynamics, Window, as_record, store_texts
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store
from conductlens.store import tables as t

NAMES = ("Gary Holt", "Meera Patel", "Steve Rowe", "Jen Clarke", "Olu Ade", "Kate Byrne",
         "Rob Miles", "Zoe Hart", "Ian Ward", "Lucy Dale", "Pete Shaw", "Nina Cole",
         "Sam Burke", "Tara Quinn")
ENDORSE = ("hahaha yes", "😂😂 brilliant", "lmaooo", "so true 😂", "dead 🤣🤣", "ha love it",
           "that's class 😂", "🤣", "lol facts", "he's got a point")
CHALLENGE = ("mate delete that now", "that's completely out of order",
             "not on, I'm telling the sgt", "seriously not funny, take it down",
             "that's racist, remove it", "you can't post stuff like that", "reporting this")
NEUTRAL = ("anyone know if the canteen's open?", "what time are we parading tomorrow",
           "can someone grab me a radio", "on scene now", "who's driving tonight",
           "need a hand with a statement later", "heading back to the nick", "kettle's on")
INCIDENTS = ("bunch of animals round the estate, should gas the lot",
             "women in the job are a joke", "gypsies nicking again, typical",
             "slapped the lad in the van, cameras off", "she deserved a slap tbh")


def _generate() -> tuple[str, list[dict[str, Any]]]:
    rng = random.Random(5)
    lines: list[tuple[datetime, str]] = []
    start = datetime(2026, 1, 5, 8, 0)
    lines.append((start, f'{NAMES[0]} created group "B Relief"'))
    lines.append((start, f"{NAMES[0]} added " + ", ".join(NAMES[1:5])))
    members, waiting, truth = set(NAMES[:11]), list(NAMES[11:]), []
    for day in range(35):
        t = start + timedelta(days=day)
        if day in (8, 16, 24):
            who = waiting.pop(0)
            lines.append((t, f"{NAMES[0]} added {who}"))
            members.add(who)
        if day in (12, 27):
            who = rng.choice(sorted(members - {NAMES[0]}))
            lines.append((t, f"{who} left"))
            members.discard(who)
        for k in range(rng.randint(3, 8)):
            lines.append((t + timedelta(minutes=30 + 90 * k),
                          f"{rng.choice(sorted(members))}: {rng.choice(NEUTRAL)}"))
        if day % 3 == 1:
            truth.append(_incident(rng, lines, t + timedelta(hours=14), sorted(members)))
    lines.sort(key=lambda x: x[0])
    return "".join(f"{w:%d/%m/%Y, %H:%M} - {b}\n" for w, b in lines), truth


def _incident(rng: random.Random, lines: list[tuple[datetime, str]], when: datetime,
              members: list[str]) -> dict[str, Any]:
    sender = rng.choice(members)
    lines.append((when, f"{sender}: {rng.choice(INCIDENTS)}"))
    others = [m for m in members if m != sender]
    rng.shuffle(others)
    ne, nc, nn = rng.randint(0, 3), rng.randint(0, 2), rng.randint(0, 3)
    acts = ([("e", m) for m in others[:ne]] + [("c", m) for m in others[ne:ne + nc]]
            + [("n", m) for m in others[ne + nc:ne + nc + nn]])
    rng.shuffle(acts)
    minutes = 1
    for kind, m in acts:
        minutes += rng.randint(1, 15)
        text = rng.choice({"e": ENDORSE, "c": CHALLENGE, "n": NEUTRAL}[kind])
        lines.append((when + timedelta(minutes=minutes), f"{m}: {text}"))
    return {"when": when, "sender": sender, "present": members,
            "endorsed": {m for k, m in acts if k == "e"},
            "challenged": {m for k, m in acts if k == "c"}}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict[str, Any], Any]]:
    tmp = tmp_path_factory.mktemp("shift")
    text, truth = _generate()
    path = tmp / "WhatsApp Chat with B Relief.txt"
    path.write_text(text, encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp / 's.db'}", tmp / "x")
    ingest_path(store=store, path=path)
    with store.engine.connect() as conn:
        m, p = t.messages.c, t.participants.c
        ids = []
        for inc in truth:
            ids.append(conn.scalar(select(m.id).join(t.participants, p.id == m.sender_id).where(
                m.ts_local == inc["when"], p.name == inc["sender"])))
        found = Dynamics(conn, store_texts(conn)).responses(ids, Window())
        return [(inc, as_record(conn, g, r)) for inc, (g, r) in zip(truth, found, strict=True)]


def test_present_sets_are_exact(results: list[tuple[dict[str, Any], Any]]) -> None:
    assert len(results) == 12
    for inc, rec in results:
        assert rec["present"] == inc["present"]


@pytest.mark.parametrize("label", ["endorsed", "challenged"])
def test_f1(results: list[tuple[dict[str, Any], Any]], label: str) -> None:
    tp = sum(len(set(rec[label]) & inc[label]) for inc, rec in results)
    got = sum(len(rec[label]) for _, rec in results)
    want = sum(len(inc[label]) for inc, _ in results)
    precision, recall = tp / max(got, 1), tp / max(want, 1)
    assert want >= 8 and 2 * precision * recall / max(precision + recall, 1e-9) >= 0.85
