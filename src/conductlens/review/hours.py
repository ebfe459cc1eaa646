"""Hours on a case: each entry (who, day, activity, hours, note) and the totals per person
and per activity that the case page and key facts show.

Entries are written by ``cases.log_hours`` through the door; this module reads them and
reads the web form, whose refusals name the field ("Day worked: ...") so the page can say
which one to correct while keeping what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from conductlens.errors import ConductLensError
from conductlens.review.cases import ACTIVITIES
from conductlens.store.tables_review import case_hours

SHOWN = 25  # entries the case page lists before "show all"


@dataclass(frozen=True, slots=True)
class HoursEntry:
    username: str
    worked_on: date | None
    activity: str | None
    hours: float
    note: str


@dataclass(frozen=True, slots=True)
class HoursLogged:
    """A case's hours: the newest entries (``shown`` of ``count``) and every total."""

    entries: list[HoursEntry]
    count: int
    total: float
    by_person: list[tuple[str, float]]
    by_activity: list[tuple[str, float]]  # "not given" for entries without one


@dataclass(frozen=True, slots=True)
class HoursForm:
    """One entry as the form gave it, checked."""

    hours: float
    activity: str
    worked_on: date
    note: str


def read_form(hours: str, activity: str, worked_on: str, note: str) -> HoursForm:
    """The form's fields checked, or a refusal naming the field to correct."""
    try:
        amount = float(hours)
    except ValueError:
        raise ConductLensError(f"Hours: {hours.strip()!r} is not a number") from None
    if not 0 < amount <= 24:
        raise ConductLensError("Hours: give between 0.25 and 24 for one entry")
    if activity not in ACTIVITIES:
        raise ConductLensError("Activity: choose one from the list")
    try:
        day = date.fromisoformat(worked_on.strip())
    except ValueError:
        raise ConductLensError("Day worked: give the day as YYYY-MM-DD") from None
    return HoursForm(amount, activity, day, note.strip())


def logged(conn: Connection, case_id: int, everything: bool = False) -> HoursLogged:
    """The case's hours: newest entries first (all of them when ``everything``)."""
    h = case_hours.c
    mine = h.case_id == case_id
    query = (select(h.username, h.worked_on, h.activity, h.hours, h.note).where(mine)
             .order_by(h.worked_on.desc().nulls_last(), h.id.desc()))
    rows = conn.execute(query if everything else query.limit(SHOWN)).all()
    entries = [HoursEntry(str(u), w, a, float(n), str(x or "")) for u, w, a, n, x in rows]
    count = int(conn.scalar(select(func.count()).where(mine)) or 0)
    total = float(conn.scalar(select(func.sum(h.hours)).where(mine)) or 0.0)
    return HoursLogged(entries, count, total, _totals(conn, h.username, mine),
                       _totals(conn, func.coalesce(h.activity, "not given"), mine))


def _totals(conn: Connection, key: ColumnElement[Any], where: ColumnElement[bool]
            ) -> list[tuple[str, float]]:
    rows = conn.execute(select(key, func.sum(case_hours.c.hours))
                        .where(where).group_by(key).order_by(key))
    return [(str(k), float(n)) for k, n in rows]
