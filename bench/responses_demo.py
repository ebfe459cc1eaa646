"""Print how well ``conductlens responses`` recovers the demo group's responses to incidents.

    python bench/responses_demo.py [--misses]

Generates the demo (``conductlens.demo.generate_demo``) in a temporary folder and ingests its
four renderings (Android text export, iOS zip, Android msgstore.db, iOS ChatStorage.sqlite).
For each planted incident it asks the dynamics library for the responses (default window: 30
messages or 2 hours), as if every planted incident were flagged, and compares with
``ground_truth.json``: present sets must be exact; endorsed and challenged are scored by
micro precision and recall over (incident, member) pairs. Text exports drop reactions, so
there the answer key is ``endorsed_by_message`` (endorsements made in words or emoji
messages); the databases keep reactions and are scored against ``endorsed``. Figures are
printed, never asserted (tests/dynamics/test_demo_responses.py asserts floors).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from conductlens.demo import generate_demo
from conductlens.demo._render_common import pretty_phone
from conductlens.demo.scenario import build_scenario
from conductlens.dynamics import Dynamics, Window, store_texts
from conductlens.dynamics.analysis import Group
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store
from conductlens.store import tables as t

MARKS = "\u202a\u202c\u200e\u200f"


def officer_names(seed: int) -> dict[str, str]:
    """Every name a text export can show for an officer -> the officer id."""
    scenario = build_scenario(seed=seed)
    out = {o.name: scenario.owner for o in scenario.officers if o.id == scenario.owner}
    for o in scenario.officers:
        for phone in (o.phone, o.new_phone):
            if phone:
                out[pretty_phone(phone)] = o.id
        if o.contact_name:
            out[o.contact_name] = o.id
    out["You"] = scenario.owner
    return out


def officer_phones(seed: int) -> dict[str, str]:
    """E.164 number -> officer id."""
    found = {}
    for o in build_scenario(seed=seed).officers:
        found[o.phone] = o.id
        if o.new_phone:
            found[o.new_phone] = o.id
    return found


def message_ids(conn: Connection, exhibit_id: int, truth: dict[str, Any], text: bool
                ) -> dict[str, int]:
    """Incident id -> message id: in text exports the message after the banner line is seq 2
    (demo seq 1); in databases the same key. Checked against the incident's sender."""
    m = t.messages.c
    out = {}
    for inc in truth["incidents"]:
        where = m.seq == inc["seq"] + 1 if text else m.platform_key == inc["key_id"]
        row = conn.execute(select(m.id, m.text).where(m.exhibit_id == exhibit_id, where)).one()
        if inc["text"] and inc["text"] not in row.text:
            raise SystemExit(f"{inc['id']}: message {row.id} is not the incident")
        out[inc["id"]] = int(row.id)
    return out


def to_officer(group: Group, member: int, names: dict[str, str], phones: dict[str, str],
               owner: str) -> str:
    rows = [group.flow.people[r] for r in group.roster.members[member].rows]
    if any(r.is_owner for r in rows):
        return owner
    for r in rows:
        if r.phone and r.phone in phones:
            return phones[r.phone]
    name = group.roster.members[member].name.strip(MARKS)
    return names.get(name, f"?{name}")


def score(pairs: list[tuple[set[str], set[str]]]) -> tuple[float, float, int]:
    tp = sum(len(g & e) for g, e in pairs)
    got = sum(len(g) for g, _ in pairs)
    want = sum(len(e) for _, e in pairs)
    return tp / max(got, 1), tp / max(want, 1), want


def evaluate(store: Store, exhibit_id: int, truth: dict[str, Any], text: bool,
             misses: bool) -> dict[str, Any]:
    seed, owner = truth["seed"], truth["group"]["owner"]
    names, phones = officer_names(seed), officer_phones(seed)
    with store.engine.connect() as conn:
        ids = message_ids(conn, exhibit_id, truth, text)
        found = Dynamics(conn, store_texts(conn)).responses(
            ids.values(), Window(), flagged=set(ids.values()))
    exact, endorsed, challenged = 0, [], []
    for inc, (group, res) in zip(truth["incidents"], found, strict=True):
        def ids_of(members: tuple[int, ...], g: Group = group) -> set[str]:
            return {to_officer(g, m, names, phones, owner) for m in members}
        present = ids_of(res.present)
        exact += present == set(inc["present"])
        key = "endorsed_by_message" if text else "endorsed"
        endorsed.append((ids_of(res.endorsed), set(inc[key])))
        challenged.append((ids_of(res.challenged), set(inc["challenged"])))
        if misses:
            _show(inc, present, endorsed[-1], challenged[-1])
    return {"present_exact": exact, "incidents": len(truth["incidents"]),
            "endorsed": score(endorsed), "challenged": score(challenged)}


def _show(inc: dict[str, Any], present: set[str], endorsed: tuple[set[str], set[str]],
          challenged: tuple[set[str], set[str]]) -> None:
    for label, (got, want) in (("present", (present, set(inc["present"]))),
                               ("endorsed", endorsed), ("challenged", challenged)):
        if got != want:
            print(f"  {inc['id']} {label}: extra {sorted(got - want)} "  # noqa: T201
                  f"missing {sorted(want - got)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="List every miss.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = generate_demo(Path(tmp) / "demo")
        truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))
        store = Store.open(f"sqlite:///{tmp}/bench.db", Path(tmp) / "objects")
        renderings = (("Android text export", files.android_txt, True),
                      ("iOS text export (zip)", files.ios_zip, True),
                      ("Android msgstore.db", files.msgstore_db, False),
                      ("iOS ChatStorage.sqlite", files.chatstorage_sqlite, False))
        print(f"# responses on the demo group, {datetime.now(UTC):%Y-%m-%d}, "  # noqa: T201
              f"{platform.machine()} {platform.python_version()}")
        print("| rendering | present exact | endorsed P | endorsed R | challenged P | "  # noqa: T201
              "challenged R |")
        print("|---|---|---|---|---|---|")  # noqa: T201
        for label, path, text in renderings:
            summary = ingest_path(store=store, path=path, timezone="Europe/London")
            with store.engine.connect() as conn:
                exhibit = int(conn.scalar(select(t.exhibits.c.id).where(
                    t.exhibits.c.reference == summary.reference)))
            r = evaluate(store, exhibit, truth, text, args.misses)
            (ep, er, en), (cp, cr, cn) = r["endorsed"], r["challenged"]
            print(f"| {label} | {r['present_exact']}/{r['incidents']} | {ep:.3f} | "  # noqa: T201
                  f"{er:.3f} (of {en}) | {cp:.3f} | {cr:.3f} (of {cn}) |")


if __name__ == "__main__":
    main()
