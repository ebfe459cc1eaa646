"""The door for a route: one ``CaseDoor`` per signed-in user and case, and the header."""

from __future__ import annotations

from conductlens.review.accounts import WebSession
from conductlens.review.door import CaseDoor, CaseHeader
from conductlens.store import Store

__all__ = ["CaseHeader", "case_header", "door"]


def door(store: Store, session: WebSession, case_id: int) -> CaseDoor:
    """The signed-in user's door into case ``case_id`` (it checks role and team itself)."""
    return CaseDoor(store.engine, session.user, case_id)


def case_header(store: Store, session: WebSession, case_id: int) -> CaseHeader:
    return door(store, session, case_id).header()
