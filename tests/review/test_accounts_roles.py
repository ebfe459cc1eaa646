from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conductlens.errors import ConductLensError
from conductlens.review import accounts, throttle
from conductlens.review.roles import PERMISSIONS, Permission, Role, allows
from conductlens.review.sample import PASSWORD, World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events, users


def test_passwords_are_stored_as_argon2_hashes(store: Store, world: World) -> None:
    with store.engine.connect() as conn:
        stored = conn.scalar(select(users.c.password_hash).where(users.c.username == "auditor"))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_succeeds_and_is_audited(store: Store, world: World) -> None:
    user = accounts.authenticate(store.engine, "auditor", PASSWORD)
    assert user.role is Role.AUDITOR
    with store.engine.connect() as conn:
        last = conn.execute(select(audit_events).order_by(audit_events.c.id.desc())).first()
    assert last is not None and last._mapping["action"] == "login"


def test_failed_logins_back_off_per_pair_and_never_lock_the_owner(store: Store,
                                                                 world: World) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    pair = throttle.RULES[1]
    for _ in range(pair.free):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(store.engine, "analyst", "wrong password!", now, "10.0.0.9")
    with pytest.raises(accounts.LoginThrottled) as held:  # right password, backing off
        accounts.authenticate(store.engine, "analyst", PASSWORD, now, "10.0.0.9")
    assert held.value.retry_after == int(pair.base)
    # The owner, from another address, signs in at once: the attacker slowed only themself.
    assert accounts.authenticate(store.engine, "analyst", PASSWORD, now, "10.0.0.1")
    later = now + timedelta(seconds=pair.base + 1)
    assert accounts.authenticate(store.engine, "analyst", PASSWORD, later, "10.0.0.9")
    with store.engine.connect() as conn:
        failed = conn.scalars(select(audit_events.c.action)
                              .where(audit_events.c.action == "login.failed")).all()
    assert len(failed) == pair.free + 1


def test_unknown_users_are_refused_like_bad_passwords(store: Store, world: World) -> None:
    with pytest.raises(accounts.LoginRefused, match="wrong user name or password"):
        accounts.authenticate(store.engine, "nobody", PASSWORD)


def test_short_passwords_and_duplicates_are_refused(store: Store, world: World) -> None:
    with pytest.raises(ConductLensError, match="12 characters"):
        accounts.add_user(store.engine, "x", "short", Role.ANALYST)
    with pytest.raises(ConductLensError, match="already exists"):
        accounts.add_user(store.engine, "analyst", PASSWORD, Role.ANALYST)


def test_sessions_time_out_when_idle_and_end_on_logout(store: Store, world: World) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    user = world.users["auditor"]
    session = accounts.start_session(store.engine, user, now)
    idle = timedelta(minutes=15)
    assert accounts.resume_session(store.engine, session.id, idle, now + timedelta(minutes=10))
    assert accounts.resume_session(store.engine, session.id, idle, now + timedelta(minutes=20))
    assert accounts.resume_session(store.engine, session.id, idle, now + timedelta(hours=1)) is None
    other = accounts.start_session(store.engine, user)
    accounts.end_session(store.engine, other)
    assert accounts.resume_session(store.engine, other.id, idle) is None


@pytest.mark.parametrize(("role", "permission", "expected"), [
    (Role.INVESTIGATOR, Permission.PROPOSE_SCOPE, True),
    (Role.INVESTIGATOR, Permission.AUTHORISE_SCOPE, False),
    (Role.SUPERVISOR, Permission.AUTHORISE_SCOPE, True),
    (Role.SUPERVISOR, Permission.APPROVE_UNMASK, True),
    (Role.INVESTIGATOR, Permission.APPROVE_UNMASK, False),
    (Role.AUDITOR, Permission.READ_AUDIT, True),
    (Role.AUDITOR, Permission.READ_CONTENT, False),
    (Role.ANALYST, Permission.READ_CONTENT, False),
    (Role.ANALYST, Permission.VIEW_TOTALS, True),
    (Role.ADMIN, Permission.READ_CONTENT, False),
    (Role.ADMIN, Permission.MANAGE_USERS, True),
])
def test_permission_table(role: Role, permission: Permission, expected: bool) -> None:
    assert allows(role, permission) is expected


def test_only_investigators_and_supervisors_read_content() -> None:
    readers = {r for r, perms in PERMISSIONS.items() if Permission.READ_CONTENT in perms}
    assert readers == {Role.INVESTIGATOR, Role.SUPERVISOR}
    assert not allows("root", Permission.READ_CONTENT)
