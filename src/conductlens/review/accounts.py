"""Local accounts: argon2 password hashes, throttled sign-in, server-side sessions.

Every sign-in runs the password hash exactly once, whatever the outcome (unknown name,
disabled account, back-off in force, wrong or right password), so the answer's timing does
not tell them apart; the refusal's words are the same for all but the back-off, which is
a 429 with Retry-After. Admin actions on accounts live in ``account_admin``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, insert, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit, passwords, throttle
from conductlens.review._ids import inserted_id
from conductlens.review.roles import Role
from conductlens.store.tables_review import users, web_sessions

REFUSED = "wrong user name or password, or the account is disabled"
LIFETIME = timedelta(hours=10)  # a session ends this long after sign-in, however busy
_HASHER = PasswordHasher()
_DUMMIES: dict[int, str] = {}


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
    """Wrong name or password, or the account is disabled (the message never says which)."""


class LoginThrottled(ConductLensError):
    """Too many failures from this address or for this name: try again in ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after} seconds")
        self.retry_after = retry_after


def _user(row: object) -> User:
    r = row._mapping  # type: ignore[attr-defined]
    return User(int(r["id"]), str(r["username"]), str(r["display_name"]), Role(r["role"]))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def add_user(
    engine: Engine, username: str, password: str, role: Role, display_name: str = "",
    actor: str = "system",
) -> User:
    """Create an account (audited, ``created_by`` = ``actor``); the password policy applies."""
    passwords.check(password, username)
    with engine.begin() as conn:
        if conn.scalar(select(users.c.id).where(users.c.username == username)) is not None:
            raise ConductLensError(f"user {username!r} already exists")
        uid = inserted_id(conn.execute(
            insert(users).values(
                username=username, display_name=display_name or username, role=role.value,
                password_hash=hash_password(password), active=True, failed_logins=0,
                created_at=datetime.now(UTC), created_by=actor,
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


def _dummy_hash() -> str:
    """A hash made with the current hasher's parameters, verified for unknown names."""
    key = id(_HASHER)
    if key not in _DUMMIES:
        _DUMMIES[key] = _HASHER.hash(secrets.token_urlsafe(16))
    return _DUMMIES[key]


def authenticate(
    engine: Engine, username: str, password: str, now: datetime | None = None,
    address: str = "",
) -> User:
    """The user, or ``LoginRefused`` / ``LoginThrottled``; every attempt is audited."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        found = conn.execute(select(users.c.password_hash)
                             .where(users.c.username == username)).first()
    # Always exactly once, and outside the lock below so sign-ins hash in parallel.
    matches = _verify(str(found[0]) if found is not None else _dummy_hash(), password)
    with engine.begin() as conn:
        audit.lock(conn)  # failure counts are read then written: no two at once
        wait = throttle.wait_for(conn, username, address, now)
        row = conn.execute(select(users).where(users.c.username == username)).first()
        if wait:
            _audit_refusal(conn, username, address, "throttled")
            raise LoginThrottled(wait)
        if row is None or not row._mapping["active"] or not matches:
            why = "unknown user" if row is None else (
                "bad password" if row._mapping["active"] else "disabled")
            throttle.failed(conn, username, address, now)
            _audit_refusal(conn, username, address, why)
            raise LoginRefused(REFUSED)
        r = row._mapping
        throttle.succeeded(conn, username, address)
        conn.execute(
            update(users).where(users.c.id == r["id"]).values(failed_logins=0, locked_until=None)
        )
        audit.append(conn, audit.AuditEvent(username, "login", object_ids={"user": [r["id"]]},
                                            detail={"address": address}))
        return _user(row)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _audit_refusal(conn: Connection, username: str, address: str, why: str) -> None:
    audit.append(conn, audit.AuditEvent(username[:64], "login.failed",
                                        detail={"why": why, "address": address}))
    # Commit the audit record and the failure counts before the caller raises.
    conn.commit()


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
    engine: Engine, sid: str, idle: timedelta, now: datetime | None = None,
    lifetime: timedelta = LIFETIME,
) -> WebSession | None:
    """The live session ``sid`` (touching it), or None when ended, idle too long, older than
    ``lifetime``, its account disabled, or unknown."""
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(
            select(web_sessions, users)
            .join(users, users.c.id == web_sessions.c.user_id)
            .where(web_sessions.c.id == sid)
        ).first()
        if row is None or row._mapping["ended_at"] is not None or not row._mapping["active"]:
            return None
        m = row._mapping
        last, born = _aware(m["last_seen"]), _aware(m[web_sessions.c.created_at])
        if last is None or born is None or now - last > idle or now - born > lifetime:
            conn.execute(update(web_sessions).where(web_sessions.c.id == sid).values(ended_at=now))
            return None
        conn.execute(update(web_sessions).where(web_sessions.c.id == sid).values(last_seen=now))
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


def end_sessions_of(conn: Connection, user_id: int) -> None:
    """End every live session of an account (disabled, new password, new role)."""
    conn.execute(update(web_sessions).where(web_sessions.c.user_id == user_id,
                                            web_sessions.c.ended_at.is_(None))
                 .values(ended_at=datetime.now(UTC)))


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]
