"""``build_demo``: a demo store with exhibits, a register, one account per role, a case (its
team: the demo investigator and supervisor) with a scope awaiting authorisation, findings
from the baseline policy, and its own audit trail."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from conductlens.ingest.pipeline import IngestSummary, ingest_path
from conductlens.review import audit, cases, matching, register, scope, team_duties, teams
from conductlens.review.accounts import add_user
from conductlens.review.policy_run import record_findings
from conductlens.review.roles import Role
from conductlens.store import Store
from conductlens.store import tables as t

CASE = "PSD-DEMO-001"
ALLEGATION = ("Discriminatory and demeaning messages in the Team 3 shift group; possible "
              "disclosure of police information.")


@dataclass(frozen=True, slots=True)
class DemoAccounts:
    """The accounts made, with passwords shown once."""

    passwords: dict[str, str]  # username -> password
    case_id: int
    exhibits: tuple[str, ...]
    findings: int


def build_demo(store: Store, out_dir: Path,
               step: Callable[[str], None] = lambda _: None) -> DemoAccounts:
    """Generate the demo exhibits into ``out_dir`` and build the demo case in ``store``;
    ``step`` is told, in a few words, what each stage is doing (a minute or two in all)."""
    from conductlens.demo import generate_demo, scenario

    step("Writing the synthetic shift group as WhatsApp exhibits")
    files = generate_demo(out_dir)
    passwords = {role.value: secrets.token_urlsafe(12) for role in Role}
    made = {role: add_user(store.engine, role.value, passwords[role.value], role,
                           f"Demo {role.value.title()}", actor="demo") for role in Role}
    admin = made[Role.ADMIN]
    plot = scenario.build_scenario()
    officers = plot.officers
    _register(store, officers)
    with store.engine.begin() as conn:
        case_id = cases.open_case(conn, CASE, ALLEGATION, "investigator")
        change = teams.add_member(conn, case_id, "supervisor", "investigator",
                                  "Supervisor for Team 3 conduct cases")
        assert change is not None  # asked by the investigator: a second person decides
        team_duties.decide(conn, change, admin, True, "Agreed: the Team 3 supervisor")
    step("Ingesting the exhibits (an Android phone database and a chat export)")
    summaries = [ingest_path(store, path, case=CASE, added_by="investigator",
                             timezone="Europe/London")
                 for path in (files.msgstore_db, files.android_txt)]
    _record_exhibits(store, case_id, summaries)
    step("Running the national baseline policy (the first run loads the conduct model)")
    found = record_findings(store, case_id)
    step("Proposing the case's scope and writing its history")
    _propose_scope(store, case_id, _main_subject(plot))
    _history(store)
    return DemoAccounts(passwords, case_id, tuple(s.reference for s in summaries), found)


def _register(store: Store, officers: object) -> None:
    with store.engine.begin() as conn:
        for o in officers:  # type: ignore[attr-defined]
            pid = register.add_person(conn, o.staff_number, o.name, "Westshire Police",
                                      "Team 3, Northtown Response", o.rank)
            register.declare(conn, pid, "whatsapp", o.phone)
        audit.append(conn, audit.AuditEvent("demo", "register.import",
                                            detail={"rows": len(officers)}))  # type: ignore[arg-type]


def _record_exhibits(store: Store, case_id: int, summaries: list[IngestSummary]) -> None:
    with store.engine.begin() as conn:
        ids = cases.exhibit_ids(conn, case_id)
        matching.link_by_identifier(conn, ids, "investigator")
        for s in summaries:
            audit.append(conn, audit.AuditEvent(
                "investigator", "exhibit.add", case_id, {"exhibit": ids},
                detail={"reference": s.reference, "sha256": s.sha256, "messages": s.messages}))


def _main_subject(plot: object) -> object:
    """The officer who sent most planted incidents: the demo case's subject."""
    counts: dict[str, int] = {}
    for incident in plot.incidents:  # type: ignore[attr-defined]
        counts[incident.sender] = counts.get(incident.sender, 0) + 1
    top = max(counts, key=lambda k: (counts[k], k))
    return next(o for o in plot.officers if o.id == top)  # type: ignore[attr-defined]


def _propose_scope(store: Store, case_id: int, subject: object) -> None:
    with store.engine.begin() as conn:
        convs = cases.conversations(conn, case_id)
        groups = [c.id for c in convs if c.is_group] or [c.id for c in convs]
        first, last = conn.execute(select(func.min(t.messages.c.ts_local),
                                          func.max(t.messages.c.ts_local)).where(
            t.messages.c.conversation_id.in_(groups[:1]),
            t.messages.c.ts_local.is_not(None))).one()
        pid = register.add_person(conn, subject.staff_number,  # type: ignore[attr-defined]
                                  subject.name, "Westshire Police")  # type: ignore[attr-defined]
        cases.add_subject(conn, case_id, pid, "investigator")
        start = first.date() if first else datetime.now(UTC).date()
        end = min(last.date() if last else start, start + timedelta(days=42))
        scope.propose(conn, case_id, "investigator", subjects=[pid], conversations=groups[:1],
                      date_from=start, date_to=end, categories=[],
                      rationale=("The allegation concerns messages in the Team 3 shift group "
                                 "over the period complained of; one-to-one chats are excluded "
                                 "to limit collateral intrusion."))


def _history(store: Store) -> None:
    """Closed synthetic cases over three financial years (a tenth of the Home Office's
    2021-22 figures each year), so the key facts dashboard is never empty."""
    from conductlens.demo.outcome_history import TABLE_1_1, plan, write_history

    tenth = {ct: {p: max(1, n // 10) for p, n in row.items()} for ct, row in TABLE_1_1.items()}
    with store.engine.begin() as conn:
        for year in ("2023-24", "2024-25", "2025-26"):
            write_history(conn, plan(tenth, year), "Westshire Police", f"HIST-{year}")
