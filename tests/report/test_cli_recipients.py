"""``conductlens recipients``: the case page's Recipients section at the command line.

A proposal and its decision are made as the ``--as`` account once its password is accepted;
the proposer (an investigator) cannot decide it, nor can an auditor; a wrong password changes
nothing; every step is audited as the web's; the bundle then names whom the supervisor
approved."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.review.pseudonyms import Namer
from conductlens.review.recipients import listing
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events

PANEL = "Misconduct panel"
WHY = "The panel must know who challenged the remark at the time"


def _beth(store: Store, world: World) -> int:
    with store.engine.begin() as conn:
        pid = conn.scalar(select(t.participants.c.id).where(
            t.participants.c.exhibit_id == world.sample.exhibit_id,
            t.participants.c.name == "Beth Jones"))
        return Namer(conn, world.case_id, ()).number(int(pid))


def _run(store: Store, world: World, *args: str, who: str = "investigator",
         password: str = PASSWORD) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["recipients", *args, "--case", world.sample.reference,
                                      "--as", who, "--db", store.url], input=password + "\n")
    return result.exit_code, result.output


def _actions(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return [(str(a), str(u)) for a, u in conn.execute(
            select(audit_events.c.action, audit_events.c.username).where(
                audit_events.c.action.like("recipient_name.%")).order_by(audit_events.c.id))]


def test_propose_then_a_second_person_approves(store: Store, world: World) -> None:
    beth = _beth(store, world)
    code, out = _run(store, world, "propose", "--recipient", PANEL, "--participant",
                     str(beth), "--reason", WHY)
    assert code == 0 and f"Participant {beth:02d}" in out, out
    (row,) = listing(store.engine.connect(), world.case_id)
    same = _run(store, world, "approve", str(row.id), "--reason", "Necessary")
    assert same[0] == 1 and "may not" in same[1]  # not its proposer, not an investigator
    code, out = _run(store, world, "approve", str(row.id), "--reason", "Necessary",
                     who="supervisor")
    assert code == 0 and "approved" in out, out
    assert _actions(store) == [("recipient_name.propose", "investigator"),
                               ("recipient_name.approve", "supervisor")]
    result = CliRunner().invoke(app, ["recipients", "list", "--case", world.sample.reference,
                                      "--as", "investigator", "--json", "--db", store.url])
    assert result.exit_code == 0, result.output
    (shown,) = json.loads(result.output)
    assert (shown["status"], shown["proposed_by"], shown["decided_by"], shown["pseudonym"]) == (
        "approved", "investigator", "supervisor", f"Participant {beth:02d}")
    assert "Beth" not in result.output  # the listing names pseudonyms, never people


def test_roles_passwords_and_unknown_ids_are_refused(store: Store, world: World,
                                                     tmp_path: Path) -> None:
    beth = _beth(store, world)
    args = ("propose", "--recipient", PANEL, "--participant", str(beth), "--reason", WHY)
    code, out = _run(store, world, *args, password="not the password")
    assert code == 1 and out.count("\n") == 1 and "Traceback" not in out
    assert _actions(store) == []  # a wrong password changes nothing
    with store.engine.connect() as conn:
        failed = conn.scalar(select(audit_events.c.detail).where(
            audit_events.c.action == "login.failed"))
    assert failed is not None and "cli:" in str(failed)  # who tried, from which OS account
    assert _run(store, world, *args)[0] == 0
    (row,) = listing(store.engine.connect(), world.case_id)
    code, out = _run(store, world, "approve", str(row.id), "--reason", "Necessary",
                     who="auditor")
    assert code == 1 and "may not" in out  # an auditor never approves
    code, out = _run(store, world, "refuse", "999", "--reason", "Not needed",
                     who="supervisor")
    assert code == 1 and "no such recipient approval" in out
    result = CliRunner().invoke(app, ["recipients", "list", "--case", "PSD-NOPE", "--as",
                                      "investigator", "--db", store.url])
    assert result.exit_code == 1 and "no case with reference 'PSD-NOPE'" in result.output
    assert _run(store, world, "revoke", str(row.id), "--reason", "Not approved yet",
                who="supervisor")[0] == 1  # only an approval in force can be revoked
    assert _actions(store) == [("recipient_name.propose", "investigator")]
