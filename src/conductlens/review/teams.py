"""Case teams: the users assigned to a case, the only investigators and supervisors who reach it.

Article 8 proportionality: content is read by the people working the case, not by every
holder of a role. The investigator who opens a case joins its team; investigators on the
team and admins add or remove members (with a reason, audited as ``case.team.add`` and
``case.team.remove``). ``may_open`` is the one rule the web dependency and ``ReviewSession``
apply; ``visible_cases`` is the case list filtered by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, insert, select

from conductlens.errors import ConductLensError
from conductlens.review import audit
from conductlens.review.accounts import User
from conductlens.review.roles import CASE_TEAM_ROLES, Role, team_bound
from conductlens.store.tables_review import case_details, case_team, users

OPENED = "opened the case"


@dataclass(frozen=True, slots=True)
class Member:
    username: str
    display_name: str
    role: str
    added_by: str
    added_at: datetime


def case_exists(conn: Connection, case_id: int) -> bool:
    found = conn.scalar(select(case_details.c.case_id).where(case_details.c.case_id == case_id))
    return found is not None


def is_member(conn: Connection, case_id: int, username: str) -> bool:
    found = conn.scalar(select(case_team.c.username).where(
        case_team.c.case_id == case_id, case_team.c.username == username))
    return found is not None


def may_open(conn: Connection, user: User, case_id: int) -> bool:
    """Whether ``user`` may reach case ``case_id`` at all (an unknown case: never)."""
    if not case_exists(conn, case_id):
        return False
    return not team_bound(user.role) or is_member(conn, case_id, user.username)


def visible_cases(conn: Connection, user: User, case_ids: list[int]) -> list[int]:
    """``case_ids`` less the cases ``user`` may not reach (order kept)."""
    if not team_bound(user.role):
        return case_ids
    mine = set(conn.scalars(select(case_team.c.case_id)
                            .where(case_team.c.username == user.username)))
    return [c for c in case_ids if c in mine]


def members(conn: Connection, case_id: int) -> list[Member]:
    rows = conn.execute(
        select(case_team.c.username, users.c.display_name, users.c.role,
               case_team.c.added_by, case_team.c.added_at)
        .join(users, users.c.username == case_team.c.username, isouter=True)
        .where(case_team.c.case_id == case_id).order_by(case_team.c.username))
    return [Member(str(u), str(d or u), str(r or "unknown"), str(b), a) for u, d, r, b, a in rows]


def assignable(conn: Connection) -> list[tuple[str, str, str]]:
    """(username, display name, role) of active accounts that may join a case team."""
    rows = conn.execute(select(users.c.username, users.c.display_name, users.c.role)
                        .where(users.c.active.is_(True),
                               users.c.role.in_([r.value for r in CASE_TEAM_ROLES]))
                        .order_by(users.c.role, users.c.username))
    return [(str(u), str(d), str(r)) for u, d, r in rows]


def _role_of(conn: Connection, username: str) -> str:
    role = conn.scalar(select(users.c.role).where(users.c.username == username,
                                                  users.c.active.is_(True)))
    if role is None:
        raise ConductLensError(f"no active account {username!r}")
    if not team_bound(str(role)):
        raise ConductLensError(f"a {role} is not assigned to case teams")
    return str(role)


def _reason(reason: str) -> str:
    if len(reason.strip()) < 5:
        raise ConductLensError("give a reason for the change to the case team")
    return reason.strip()


def _record(conn: Connection, action: str, case_id: int, username: str, role: str,
            actor: str, reason: str) -> None:
    audit.append(conn, audit.AuditEvent(actor, action, case_id, {"user": [username]}, reason,
                                        {"username": username, "role": role}))


def add_member(conn: Connection, case_id: int, username: str, actor: str, reason: str) -> None:
    """Put ``username`` (an investigator or supervisor) on the case team; audited."""
    reason = _reason(reason)
    if not case_exists(conn, case_id):
        raise ConductLensError(f"no case {case_id}")
    role = _role_of(conn, username)
    if is_member(conn, case_id, username):
        raise ConductLensError(f"{username} is already on the case team")
    conn.execute(insert(case_team).values(case_id=case_id, username=username, added_by=actor,
                                          added_at=datetime.now(UTC)))
    _record(conn, "case.team.add", case_id, username, role, actor, reason)


def remove_member(conn: Connection, case_id: int, username: str, actor: str,
                  reason: str) -> None:
    """Take ``username`` off the case team; the team always keeps one investigator."""
    reason = _reason(reason)
    if not is_member(conn, case_id, username):
        raise ConductLensError(f"{username} is not on the case team")
    role = conn.scalar(select(users.c.role).where(users.c.username == username))
    if role == Role.INVESTIGATOR.value and _investigators(conn, case_id) <= 1:
        raise ConductLensError("a case team keeps at least one investigator")
    conn.execute(delete(case_team).where(case_team.c.case_id == case_id,
                                         case_team.c.username == username))
    _record(conn, "case.team.remove", case_id, username, str(role), actor, reason)


def _investigators(conn: Connection, case_id: int) -> int:
    return int(conn.scalar(select(func.count()).select_from(
        case_team.join(users, users.c.username == case_team.c.username)).where(
        case_team.c.case_id == case_id, users.c.role == Role.INVESTIGATOR.value)) or 0)


def join_as_opener(conn: Connection, case_id: int, username: str) -> None:
    """The investigator who opens a case is on its team from the start (audited)."""
    if is_member(conn, case_id, username):
        return
    conn.execute(insert(case_team).values(case_id=case_id, username=username,
                                          added_by=username, added_at=datetime.now(UTC)))
    role = conn.scalar(select(users.c.role).where(users.c.username == username))
    _record(conn, "case.team.add", case_id, username, str(role or "unknown"), username, OPENED)
