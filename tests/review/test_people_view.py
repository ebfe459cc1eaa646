"""The people page through the door: in-scope counts and times, membership, pseudonyms."""

from __future__ import annotations

from datetime import datetime

from conductlens.review.door import CaseDoor
from conductlens.review.sample import World, write_long_chat
from conductlens.store import Store


def _people(store: Store, world: World) -> dict[str, object]:
    door = CaseDoor(store.engine, world.users["investigator"], world.case_id)
    return {p.shown.label: p for p in door.people_overview()}


def test_counts_and_times_are_of_the_scope_only(store: Store, scoped: World) -> None:
    people = _people(store, scoped)
    alan = people["Alan Grant"]  # the subject, by name
    assert (alan.messages, alan.findings) == (2, 2)  # type: ignore[attr-defined]
    assert alan.first == datetime(2024, 3, 6, 22, 0)  # type: ignore[attr-defined]
    assert alan.last == datetime(2024, 3, 8, 14, 0)  # the 18 March one is outside
    masked = [p for label, p in people.items() if label.startswith("Participant")]
    assert masked and "Beth Jones" not in people and "Dana Fox" not in people
    totals = sorted((p.messages, p.findings) for p in masked)  # type: ignore[attr-defined]
    assert totals == [(0, 0), (1, 0), (2, 0)]  # Dana (private chat), Beth, Carl


def test_membership_and_admin_as_the_store_records_them(store: Store, world: World,
                                                        authorise: object) -> None:
    long = write_long_chat(store, world.case_id)
    authorise(store, world, conversations=[long.conversation_id])  # type: ignore[operator]
    people = _people(store, world)
    joined = [p for p in people.values() if p.periods]  # type: ignore[attr-defined]
    (beth,) = joined
    assert beth.shown.masked  # type: ignore[attr-defined]
    (period,) = beth.periods  # type: ignore[attr-defined]
    assert (period.how, period.start, period.end) == ("joined", datetime(2024, 3, 5, 8, 3),
                                                      None)
    assert all(not p.admin for p in people.values())  # type: ignore[attr-defined]


def test_admin_and_leaves_from_member_tables_and_events() -> None:
    from conductlens.review.people_view import PersonInCase, _apply
    from conductlens.review.pseudonyms import DisplayName

    p = PersonInCase(DisplayName("Participant 02", "pseudonym", "participant:2"))
    _apply(p, "member", None, "rank=admin; join_method=1", 7)
    _apply(p, "admin_changed", datetime(2024, 3, 6, 9, 0), None, 7)
    _apply(p, "left", datetime(2024, 3, 9, 9, 0), None, 8)
    assert p.admin == ["member table: rank=admin; join_method=1",
                       "admin change recorded 06 Mar 2024"]
    assert [(x.conversation, x.start, x.end, x.how) for x in p.periods] == [
        (7, None, None, "listed in the member table"),
        (8, None, datetime(2024, 3, 9, 9, 0), "before the record starts")]
