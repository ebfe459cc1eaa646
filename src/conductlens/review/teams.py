"""Case teams: the users assigned to a case, the only investigators and supervisors who reach it.

Article 8 proportionality: content is read by the people working the case, not by every
holder of a role. The investigator who opens a case joins its team. Separation of duties
(``team_duties``): any other change needs the case's supervisor (a supervisor on its team)
or a second admin, so one person alone never decides who reads a case. ``may_open`` is the
one rule the web dependency and the door apply; ``visible_cases`` is the case list
filtered by it.
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
    approved_by: str = ""
    unconfirmed: bool = False  # made and added by one person, not yet confirmed


def case_exists(conn: Connection, case_id: int) -> bool:
    found = conn.scalar(select(case_details.c.case_id).where(case_details.c.case_id == case_id))
    return found is not None


def is_member(conn: Connection, case_id: int, username: str) -> bool:
    found = conn.scalar(select(case_team.c.username).where(
        case_team.c.case_id == case_id, case_team.c.username == username))
    return found is not None


def awaiting_confirmation(conn: Connection, case_id: int, username: str) -> bool:
    """Whether ``username`` was made and put on this team by the same person, and nobody
    else has confirmed the account yet: it may not read the case until someone does."""
    row = conn.execute(
        select(case_team.c.added_by, users.c.created_by, users.c.confirmed_by)
        .join(users, users.c.username == case_team.c.username)
        .where(case_team.c.case_id == case_id, case_team.c.username == username)).first()
    if row is None:
        return False
    added_by, created_by, confirmed_by = row
    return created_by is not None and added_by == created_by and confirmed_by is None


def may_open(conn: Connection, user: User, case_id: int) -> bool:
    """Whether ``user`` may reach case ``case_id`` at all (an unknown case: never)."""
    if not case_exists(conn, case_id):
        return False
    if not team_bound(user.role):
        return True
    return is_member(conn, case_id, user.username) and not awaiting_confirmation(
        conn, case_id, user.username)


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
               case_team.c.added_by, case_team.c.added_at, case_team.c.approved_by)
        .join(users, users.c.username == case_team.c.username, isouter=True)
        .where(case_team.c.case_id == case_id).order_by(case_team.c.username))
    return [Member(str(u), str(d or u), str(r or "unknown"), str(b), a, str(p or ""),
                   awaiting_confirmation(conn, case_id, str(u)))
            for u, d, r, b, a, p in rows]


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


def reason_given(reason: str) -> str:
    if len(reason.strip()) < 5:
        raise ConductLensError("give a reason for the change to the case team")
    return reason.strip()


def check_add(conn: Connection, case_id: int, username: str) -> str:
    """The role of ``username`` when it may join case ``case_id``'s team, else an error."""
    if not case_exists(conn, case_id):
        raise ConductLensError(f"no case {case_id}")
    role = _role_of(conn, username)
    if is_member(conn, case_id, username):
        raise ConductLensError(f"{username} is already on the case team")
    return role


def check_remove(conn: Connection, case_id: int, username: str) -> str:
    """The role of ``username`` when it may leave the team (one investigator stays)."""
    if not is_member(conn, case_id, username):
        raise ConductLensError(f"{username} is not on the case team")
    role = str(conn.scalar(select(users.c.role).where(users.c.username == username)))
    if role == Role.INVESTIGATOR.value and _investigators(conn, case_id) <= 1:
        raise ConductLensError("a case team keeps at least one investigator")
    return role


def apply_add(conn: Connection, case_id: int, username: str, requested_by: str,
              approved_by: str, reason: str) -> None:
    """Put ``username`` on the team (checked by ``team_duties`` first); audited."""
    role = check_add(conn, case_id, username)
    conn.execute(insert(case_team).values(case_id=case_id, username=username,
                                          added_by=requested_by, approved_by=approved_by,
                                          added_at=datetime.now(UTC)))
    audit.append(conn, audit.AuditEvent(
        approved_by, "case.team.add", case_id, {"user": [username]}, reason,
        {"username": username, "role": role, "requested_by": requested_by}))


def apply_remove(conn: Connection, case_id: int, username: str, requested_by: str,
                 approved_by: str, reason: str) -> None:
    """Take ``username`` off the team (checked by ``team_duties`` first); audited."""
    role = check_remove(conn, case_id, username)
    conn.execute(delete(case_team).where(case_team.c.case_id == case_id,
                                         case_team.c.username == username))
    audit.append(conn, audit.AuditEvent(
        approved_by, "case.team.remove", case_id, {"user": [username]}, reason,
        {"username": username, "role": role, "requested_by": requested_by}))


def _investigators(conn: Connection, case_id: int) -> int:
    return int(conn.scalar(select(func.count()).select_from(
        case_team.join(users, users.c.username == case_team.c.username)).where(
        case_team.c.case_id == case_id, users.c.role == Role.INVESTIGATOR.value)) or 0)


def join_as_opener(conn: Connection, case_id: int, username: str) -> None:
    """The investigator who opens a case is on its team from the start (audited)."""
    if is_member(conn, case_id, username):
        return
    conn.execute(insert(case_team).values(case_id=case_id, username=username,
                                          added_by=username, approved_by=username,
                                          added_at=datetime.now(UTC)))
    role = conn.scalar(select(users.c.role).where(users.c.username == username))
    audit.append(conn, audit.AuditEvent(username, "case.team.add", case_id,
                                        {"user": [username]}, OPENED,
                                        {"username": username, "role": str(role or "unknown")}))


def add_member(conn: Connection, case_id: int, username: str, actor: str,
               reason: str) -> int | None:
    """Ask to put ``username`` on the team: done at once when ``actor`` is the case's
    supervisor, else awaiting a second person (the id of the change is returned)."""
    from conductlens.review import team_duties

    return team_duties.request(conn, case_id, username, "add", actor, reason)


def remove_member(conn: Connection, case_id: int, username: str, actor: str,
                  reason: str) -> int | None:
    """Ask to take ``username`` off the team (leaving oneself is done at once)."""
    from conductlens.review import team_duties

    return team_duties.request(conn, case_id, username, "remove", actor, reason)
