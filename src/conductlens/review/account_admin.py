"""What an admin (web UI) or the custodian (``conductlens users``) does to an account:
unlock, disable, enable, reset its password, change its role. Each is audited with the
actor and a reason, and ends the account's sessions where it changes what they may do.

Nobody acts on their own account here (an admin cannot disable, demote or reset
themselves), and a role change takes the account off every case team: the team was
agreed for the old role (an investigator made supervisor must not authorise their own
scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, select, update

from conductlens.errors import ConductLensError
from conductlens.review import accounts, audit, passwords, throttle
from conductlens.review.roles import Role
from conductlens.store.tables_review import case_team, login_throttle, users


@dataclass(frozen=True, slots=True)
class Account:
    """One account as the admin page lists it."""

    username: str
    display_name: str
    role: str
    active: bool
    created_by: str
    confirmed_by: str
    created_at: datetime
    failures: int  # failed sign-ins counted against the name (throttling)


def list_accounts(engine: Engine) -> list[Account]:
    with engine.connect() as conn:
        failures: dict[str, int] = {}
        for name, count in conn.execute(select(login_throttle.c.username,
                                               login_throttle.c.failures)
                                        .where(login_throttle.c.kind == "account")):
            failures[str(name)] = int(count)
        rows = conn.execute(select(users).order_by(users.c.username)).mappings()
        return [Account(r["username"], r["display_name"], r["role"], bool(r["active"]),
                        r["created_by"] or "", r["confirmed_by"] or "", r["created_at"],
                        failures.get(r["username"], 0)) for r in rows]


def _target(conn: Connection, username: str, actor: str) -> dict[str, object]:
    row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    if row is None:
        raise ConductLensError(f"no account {username!r}")
    if username == actor:
        raise ConductLensError("ask another admin to change your own account")
    return dict(row)


def _reason(reason: str) -> str:
    if len(reason.strip()) < 5:
        raise ConductLensError("give a reason (at least 5 characters)")
    return reason.strip()


def _record(conn: Connection, actor: str, action: str, row: dict[str, object], reason: str,
            **detail: object) -> None:
    audit.append(conn, audit.AuditEvent(actor, action, object_ids={"user": [int(str(row["id"]))]},
                                        justification=reason,
                                        detail={"username": row["username"], **detail}))


def unlock(engine: Engine, username: str, actor: str, reason: str) -> int:
    """Forget the failed sign-ins counted against ``username``; how many counters went."""
    reason = _reason(reason)
    with engine.begin() as conn:
        row = _target(conn, username, actor)
        cleared = throttle.clear_account(conn, username)
        conn.execute(update(users).where(users.c.id == row["id"])
                     .values(failed_logins=0, locked_until=None))
        _record(conn, actor, "user.unlock", row, reason, counters=cleared)
    return cleared


def set_active(engine: Engine, username: str, active: bool, actor: str, reason: str) -> None:
    """Disable (ending its sessions) or enable an account."""
    reason = _reason(reason)
    with engine.begin() as conn:
        row = _target(conn, username, actor)
        conn.execute(update(users).where(users.c.id == row["id"]).values(active=active))
        if not active:
            accounts.end_sessions_of(conn, int(str(row["id"])))
        _record(conn, actor, "user.enable" if active else "user.disable", row, reason)


def reset_password(engine: Engine, username: str, password: str, actor: str,
                   reason: str) -> None:
    """Give ``username`` a new password (the policy applies); ends its sessions."""
    reason = _reason(reason)
    passwords.check(password, username)
    with engine.begin() as conn:
        row = _target(conn, username, actor)
        conn.execute(update(users).where(users.c.id == row["id"])
                     .values(password_hash=accounts.hash_password(password)))
        accounts.end_sessions_of(conn, int(str(row["id"])))
        throttle.clear_account(conn, username)
        _record(conn, actor, "user.password.reset", row, reason)


def set_role(engine: Engine, username: str, role: Role, actor: str, reason: str) -> list[int]:
    """Change ``username``'s role; returns the cases whose team it left."""
    reason = _reason(reason)
    with engine.begin() as conn:
        row = _target(conn, username, actor)
        if row["role"] == role.value:
            raise ConductLensError(f"{username} is already a {role.value}")
        left = [int(c) for c in conn.scalars(select(case_team.c.case_id)
                                              .where(case_team.c.username == username))]
        conn.execute(delete(case_team).where(case_team.c.username == username))
        conn.execute(update(users).where(users.c.id == row["id"]).values(role=role.value))
        accounts.end_sessions_of(conn, int(str(row["id"])))
        _record(conn, actor, "user.role", row, reason, old=row["role"], new=role.value,
                left_teams=left)
    return left
