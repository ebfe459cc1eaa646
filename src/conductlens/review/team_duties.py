"""Separation of duties for case teams: who reads a case is never one person's decision.

- A team change asked for by anyone but the case's supervisor (a supervisor on its team,
  whose own account needs no confirmation) waits as a ``team_changes`` row until the case's
  supervisor or an admin other than the asker approves or refuses it. Leaving a team
  yourself is done at once (it widens nobody's access).
- A decision does not count when it comes from the asker, from the person the change is
  about, or from an account the asker made (a second admin made by the first is not a
  second person).
- An account made and put on a team by the same person (``users.created_by`` equals
  ``case_team.added_by``) cannot open the case (``teams.may_open``) until a second person
  confirms it: an admin other than its maker, or a supervisor of a case it is on.

Everything is audited (``case.team.request``, ``case.team.approve``/``refuse``, then
``case.team.add``/``remove``, ``user.confirm``) and the case page shows the changes to the team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit, teams
from conductlens.review._ids import inserted_id
from conductlens.review.accounts import User
from conductlens.review.roles import Role
from conductlens.store.tables_review import case_team, team_changes, users

CHANGES = ("add", "remove")


@dataclass(frozen=True, slots=True)
class TeamChange:
    id: int
    case_id: int
    username: str
    change: str
    reason: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str
    decision_reason: str


def _account(conn: Connection, username: str) -> dict[str, object] | None:
    row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    return None if row is None else dict(row)


def is_case_supervisor(conn: Connection, case_id: int, username: str) -> bool:
    """A supervisor on the case team who may open the case (confirmed where needed)."""
    account = _account(conn, username)
    return (account is not None and bool(account["active"])
            and account["role"] == Role.SUPERVISOR.value
            and teams.is_member(conn, case_id, username)
            and not teams.awaiting_confirmation(conn, case_id, username))


def request(conn: Connection, case_id: int, username: str, change: str, actor: str,
            reason: str) -> int | None:
    """Ask for a change; applied at once (None) by the case's supervisor or when leaving
    oneself, else recorded as awaiting a decision (its id)."""
    reason = teams.reason_given(reason)
    if change not in CHANGES:
        raise ConductLensError(f"unknown team change {change!r}")
    (teams.check_add if change == "add" else teams.check_remove)(conn, case_id, username)
    if is_case_supervisor(conn, case_id, actor) or (change == "remove" and username == actor):
        _apply(conn, case_id, username, change, actor, actor, reason)
        return None
    pending = conn.scalar(select(team_changes.c.id).where(
        team_changes.c.case_id == case_id, team_changes.c.username == username,
        team_changes.c.change == change, team_changes.c.status == "requested"))
    if pending is not None:
        raise ConductLensError(f"that change already awaits a decision (change {pending})")
    cid = int(inserted_id(conn.execute(team_changes.insert().values(
        case_id=case_id, username=username, change=change, reason=reason, status="requested",
        requested_by=actor, requested_at=datetime.now(UTC)))))
    audit.append(conn, audit.AuditEvent(actor, "case.team.request", case_id,
                                        {"team_change": [cid], "user": [username]}, reason,
                                        {"username": username, "change": change}))
    return cid


def _apply(conn: Connection, case_id: int, username: str, change: str, requested_by: str,
           approved_by: str, reason: str) -> None:
    apply = teams.apply_add if change == "add" else teams.apply_remove
    apply(conn, case_id, username, requested_by, approved_by, reason)


def may_decide(conn: Connection, change: TeamChange, actor: User) -> str | None:
    """Why ``actor`` may not decide ``change`` (None: they may)."""
    if actor.username in (change.requested_by, change.username):
        return "a second person must decide this change"
    account = _account(conn, actor.username)
    if account is None or account["created_by"] == change.requested_by:
        return "an account made by the person asking is not a second person"
    if actor.role == Role.ADMIN or is_case_supervisor(conn, change.case_id, actor.username):
        return None
    return "only the case's supervisor or another admin decides team changes"


def decide(conn: Connection, change_id: int, actor: User, approve: bool, reason: str) -> None:
    """Approve (and apply) or refuse a change awaiting a decision; audited."""
    reason = teams.reason_given(reason)
    change = get(conn, change_id)
    if change is None or change.status != "requested":
        raise ConductLensError(f"no team change {change_id} awaits a decision")
    refused = may_decide(conn, change, actor)
    if refused:
        raise ConductLensError(refused)
    conn.execute(update(team_changes).where(team_changes.c.id == change_id).values(
        status="approved" if approve else "refused", decided_by=actor.username,
        decided_at=datetime.now(UTC), decision_reason=reason))
    audit.append(conn, audit.AuditEvent(
        actor.username, f"case.team.{'approve' if approve else 'refuse'}", change.case_id,
        {"team_change": [change_id], "user": [change.username]}, reason,
        {"username": change.username, "change": change.change,
         "requested_by": change.requested_by}))
    if approve:
        _apply(conn, change.case_id, change.username, change.change, change.requested_by,
               actor.username, change.reason)


def _change(row: object) -> TeamChange:
    r = row._mapping  # type: ignore[attr-defined]
    return TeamChange(int(r["id"]), int(r["case_id"]), str(r["username"]), str(r["change"]),
                      str(r["reason"]), str(r["status"]), str(r["requested_by"]),
                      r["requested_at"], str(r["decided_by"] or ""),
                      str(r["decision_reason"] or ""))


def get(conn: Connection, change_id: int) -> TeamChange | None:
    row = conn.execute(select(team_changes).where(team_changes.c.id == change_id)).first()
    return None if row is None else _change(row)


def changes(conn: Connection, case_id: int | None = None, status: str = "") -> list[TeamChange]:
    """Team changes, newest first (one case, or every case for the admin page)."""
    query = select(team_changes).order_by(team_changes.c.id.desc())
    if case_id is not None:
        query = query.where(team_changes.c.case_id == case_id)
    if status:
        query = query.where(team_changes.c.status == status)
    return [_change(r) for r in conn.execute(query)]


def confirm_account(conn: Connection, username: str, actor: User, reason: str) -> None:
    """A second person confirms ``username`` belongs to the person it names; audited."""
    reason = teams.reason_given(reason)
    account = _account(conn, username)
    if account is None:
        raise ConductLensError(f"no account {username!r}")
    if account["confirmed_by"]:
        raise ConductLensError(f"{username} is already confirmed")
    if actor.username in (username, account["created_by"]):
        raise ConductLensError("a second person must confirm this account")
    maker = _account(conn, actor.username)
    if maker is not None and maker["created_by"] == account["created_by"]:
        raise ConductLensError("an account made by the same person cannot confirm it")
    if actor.role != Role.ADMIN and not any(
            is_case_supervisor(conn, int(c), actor.username) for c in conn.scalars(
                select(case_team.c.case_id).where(case_team.c.username == username))):
        raise ConductLensError("only another admin or a supervisor of its case confirms it")
    conn.execute(update(users).where(users.c.username == username).values(
        confirmed_by=actor.username, confirmed_at=datetime.now(UTC)))
    audit.append(conn, audit.AuditEvent(actor.username, "user.confirm",
                                        object_ids={"user": [int(str(account["id"]))]},
                                        justification=reason, detail={"username": username}))
