"""Membership intervals from a text export's system lines and from posting."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from conductlens.dynamics.flow import Flow, Post, Who
from conductlens.dynamics.membership import Roster, build_roster

PostId = Callable[[str], int]


def names(roster: Roster, members: Iterable[int]) -> list[str]:
    return sorted(roster.members[m].name for m in members)


def test_present_when_the_incident_arrived(post_id: PostId, flow: Flow, roster: Roster) -> None:
    incident = post_id("Another car")
    seq = next(p.seq for p in flow.posts if p.id == incident)
    assert names(roster, roster.present_at(seq)) == [
        "Liam Corbett", "PC Amy Shah", "PC Ben Cole", "PC Dan Wood", "PC Tom Reid",
        "Sgt Rachel Hughes"]


def test_joiner_is_absent_before_and_leaver_after(post_id: PostId, flow: Flow,
                                                  roster: Roster) -> None:
    later = post_id("quiet today")
    seq = next(p.seq for p in flow.posts if p.id == later)
    present = names(roster, roster.present_at(seq))
    assert "PC Zoe King" in present
    assert "PC Ben Cole" not in present and "PC Amy Shah" not in present


def test_owner_you_is_the_one_poster_no_system_line_names(roster: Roster) -> None:
    owner = [m for m in roster.members.values() if "You" in
             {roster.flow.people[r].name for r in m.rows}]
    assert [m.name for m in owner] == ["Liam Corbett"]


def test_intervals_name_their_source_and_confidence(roster: Roster) -> None:
    by_name = {roster.members[i.member].name: i for i in roster.intervals}
    ben = by_name["PC Ben Cole"]
    assert ben.confidence == "recorded"
    assert ben.start_source.startswith("joined:") and ben.end_source is not None
    assert ben.end_source.startswith("left:")
    assert by_name["Sgt Rachel Hughes"].end is None


def _flow(posts: list[Post], people: dict[int, Who]) -> Flow:
    return Flow(1, 1, "EXH-1", "t", tuple(posts), people, ())


def test_member_seen_only_posting_is_assumed_present_from_the_start() -> None:
    people = {1: Who(1, "A", None, False), 2: Who(2, "B", None, False)}
    posts = [Post(10, 1, 1, None, "text", None), Post(11, 2, 2, None, "text", None)]
    roster = build_roster(_flow(posts, people))
    (b,) = [i for i in roster.intervals if i.member == 2]
    assert b.confidence == "assumed" and b.start == 0
    assert "message:11" in b.start_source
    assert roster.present_at(1) == [1, 2]


def test_two_unexplained_posters_keep_you_apart() -> None:
    people = {1: Who(1, "A", None, False), 2: Who(2, "B", None, False),
              3: Who(3, "You", None, True)}
    posts = [Post(10, 1, 1, None, "text", None), Post(11, 2, 2, None, "text", None)]
    roster = build_roster(_flow(posts, people))
    assert roster.member_of(3) == 3 and roster.member_of(1) == 1


def test_you_is_the_unexplained_poster_who_only_posts_after_you_joined() -> None:
    from conductlens.dynamics.flow import GroupEvent

    people = {1: Who(1, "A", None, False), 2: Who(2, "B", None, False),
              3: Who(3, "You", None, True), 4: Who(4, "Sarge", None, False)}
    posts = [Post(10, 1, 1, None, "text", None), Post(11, 2, 4, None, "system", None),
             Post(12, 3, 2, None, "text", None)]
    added = GroupEvent(1, "added", 4, 3, None, None, ":2", 2.0, 11)
    flow = Flow(1, 1, "EXH-1", "t", tuple(posts), people, (added,))
    roster = build_roster(flow)
    assert roster.member_of(3) == 2
    assert roster.present_at(1) == [1, 4]  # the sergeant who added "You" was there
