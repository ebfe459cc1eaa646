"""Local accounts: argon2 password hashes, login throttling, server-side sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit
from conductlens.review._ids import inserted_id
from conductlens.review.roles import Role
from conductlens.store.tables_review import users, web_sessions

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so timing does not reveal who has an account.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True, slots=True)
class WebSession:
    id: str
    user: User
    csrf: str


class LoginRefused(ConductLensError):
    """Wrong name or password, or the account is locked (the message never says which)."""


def _user(row: object) -> User:
    r = row._mapping  # type: ignore[attr-defined]
    return User(int(r["id"]), str(r["username"]), str(r["display_name"]), Role(r["role"]))


def add_user(
    engine: Engine, username: str, password: str, role: Role, display_name: str = "",
    actor: str = "system",
) -> User:
    """Create an account (audited). Passwords shorter than 10 characters are refused."""
    if len(password) < 10:
        raise ConductLensError("passwords need at least 10 characters")
    with engine.begin() as conn:
        if conn.scalar(select(users.c.id).where(users.c.username == username)) is not None:
            raise ConductLensError(f"user {username!r} already exists")
        uid = inserted_id(conn.execute(
            insert(users).values(
                username=username, display_name=display_name or username, role=role.value,
                password_hash=_HASHER.hash(password), active=True, failed_logins=0,
                created_at=datetime.now(UTC),
            )
        ))
        audit.append(conn, audit.AuditEvent(
            actor, "user.add", object_ids={"user": [int(uid)]},
            detail={"username": username, "role": role.value},
        ))
    return User(int(uid), username, display_name or username, role)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def authenticate(
    engine: Engine, username: str, password: str, now: datetime | None = None
) -> User:
    """The user, or ``LoginRefused``; every attempt is audited, failures are throttled."""
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            _verify(_DUMMY_HASH, password)
            raise _refuse(conn, username, "unknown user")
        r = row._mapping
        locked = _aware(r["locked_until"])
        if locked is not None and locked > now:
            raise _refuse(conn, username, "locked")
        if not r["active"] or not _verify(r["password_hash"], password):
            _count_failure(conn, int(r["id"]), int(r["failed_logins"]), now)
            raise _refuse(conn, username, "bad password" if r["active"] else "inactive")
        conn.execute(
            update(users).where(users.c.id == r["id"]).values(failed_logins=0, locked_until=None)
        )
        audit.append(conn, audit.AuditEvent(username, "login", object_ids={"user": [r["id"]]}))
        return _user(row)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(conn: Connection, uid: int, failures: int, now: datetime) -> None:
    failures += 1
    locked = now + LOCKOUT if failures >= MAX_FAILURES else None
    conn.execute(
        update(users).where(users.c.id == uid).values(failed_logins=failures, locked_until=locked)
    )


def _refuse(conn: Connection, username: str, why: str) -> LoginRefused:
    audit.append(conn, audit.AuditEvent(username[:64], "login.failed", detail={"why": why}))
    # Commit the audit record and the failure count before the caller raises.
    conn.commit()
    return LoginRefused("wrong user name or password, or the account is locked")


def start_session(engine: Engine, user: User, now: datetime | None = None) -> WebSession:
    now = now or datetime.now(UTC)
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            insert(web_sessions).values(
                id=sid, user_id=user.id, csrf=csrf, created_at=now, last_seen=now
            )
        )
    return WebSession(sid, user, csrf)


def resume_session(
    engine: Engine, sid: str, idle: timedelta, now: datetime | None = None
) -> WebSession | None:
    """The live session ``sid`` (touching it), or None when ended, idle too long or unknown."""
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(
            select(web_sessions, users)
            .join(users, users.c.id == web_sessions.c.user_id)
            .where(web_sessions.c.id == sid)
        ).first()
        if row is None or row._mapping["ended_at"] is not None or not row._mapping["active"]:
            return None
        last = _aware(row._mapping["last_seen"])
        if last is None or now - last > idle:
            conn.execute(update(web_sessions).where(web_sessions.c.id == sid).values(ended_at=now))
            return None
        conn.execute(update(web_sessions).where(web_sessions.c.id == sid).values(last_seen=now))
        m = row._mapping
        user = User(int(m["user_id"]), m["username"], m["display_name"], Role(m["role"]))
        return WebSession(sid, user, str(m["csrf"]))


def end_session(engine: Engine, session: WebSession) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(web_sessions)
            .where(web_sessions.c.id == session.id)
            .values(ended_at=datetime.now(UTC))
        )
        audit.append(conn, audit.AuditEvent(session.user.username, "logout"))


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]
