"""Sign-in throttling: exponential back-off per address, per account and per pair.

No failure count ever locks an account: an attacker who fails as ``admin`` from one address
mostly slows themselves (the address and the (account, address) pair back off first and
longest), while the account as a whole backs off only after many failures and for at most
``Rule.cap`` seconds at a time, so its owner is delayed, never shut out. An admin's
``unlock`` clears an account's counters. Failures are forgotten after ``FORGET``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select, update

from conductlens.store.tables_review import login_throttle

FORGET = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Rule:
    """``free`` failures cost nothing; each one after waits twice as long, up to ``cap``."""

    kind: str
    free: int
    base: float  # seconds
    cap: float  # seconds


RULES = (
    Rule("address", free=10, base=1.0, cap=900.0),  # many names tried from one place
    Rule("pair", free=5, base=2.0, cap=900.0),  # one name guessed from one place
    Rule("account", free=20, base=1.0, cap=60.0),  # one name guessed from many places
)


def delay(rule: Rule, failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures under ``rule``."""
    if failures < rule.free:
        return 0.0
    return min(rule.cap, rule.base * 2.0 ** min(failures - rule.free, 32))


def _key(rule: Rule, username: str, address: str) -> tuple[str, str, str]:
    name = username[:64] if rule.kind != "address" else ""
    where = address[:64] if rule.kind != "account" else ""
    return rule.kind, name, where


def _aware(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _where(key: tuple[str, str, str]) -> ColumnElement[bool]:
    c = login_throttle.c
    return and_(c.kind == key[0], c.username == key[1], c.address == key[2])


def wait_for(conn: Connection, username: str, address: str, now: datetime) -> int:
    """Whole seconds before another attempt is considered (0: go ahead)."""
    longest = 0.0
    for rule in RULES:
        row = conn.execute(select(login_throttle.c.blocked_until)
                           .where(_where(_key(rule, username, address)))).first()
        until = _aware(row[0]) if row is not None else None
        if until is not None and until > now:
            longest = max(longest, (until - now).total_seconds())
    return math.ceil(longest)


def failed(conn: Connection, username: str, address: str, now: datetime) -> None:
    """Count one failure under every rule and set its back-off."""
    for rule in RULES:
        key = _key(rule, username, address)
        row = conn.execute(select(login_throttle.c.failures, login_throttle.c.last_failure)
                           .where(_where(key))).first()
        last = _aware(row[1]) if row is not None else None
        failures = 1 if row is None or last is None or now - last > FORGET else row[0] + 1
        wait = delay(rule, failures)
        until = now + timedelta(seconds=wait) if wait else None
        values = {"failures": failures, "last_failure": now, "blocked_until": until}
        if row is None:
            conn.execute(insert(login_throttle).values(
                kind=key[0], username=key[1], address=key[2], **values))
        else:
            conn.execute(update(login_throttle).where(_where(key)).values(**values))


def succeeded(conn: Connection, username: str, address: str) -> None:
    """A right password from this address clears the pair (the others decay on their own)."""
    conn.execute(delete(login_throttle).where(_where(_key(RULES[1], username, address))))


def clear_account(conn: Connection, username: str) -> int:
    """An admin's unlock: forget every failure counted against ``username``."""
    result = conn.execute(delete(login_throttle).where(login_throttle.c.username == username))
    return int(result.rowcount or 0)
