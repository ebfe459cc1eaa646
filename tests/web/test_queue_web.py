"""The queue page: filters in the URL, true counts and pages, groups, bulk decisions, and
"record decision" moving on to the next finding of the same queue."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events, decisions


def _add(conn: Any, world: World, mid: int, cat: str, sev: str) -> int:
    return int(conn.execute(insert(t.findings).values(
        message_id=mid, exhibit_id=world.sample.exhibit_id, category=cat,
        standards=json.dumps(["Authority, respect and courtesy"]), severity=sev, score=0.5,
        detector="test", spans="[]", explanation="test finding", policy_version="t",
        created_at=datetime.now(UTC))).inserted_primary_key[0])


@pytest.fixture
def repeated(store: Store, scoped: World) -> World:
    """The scoped sample with the 6 March remark posted again on 10 and 11 March."""
    mids = scoped.sample.message_ids
    with store.engine.begin() as conn:
        row = dict(conn.execute(select(t.messages).where(t.messages.c.id == mids[1])
                                ).mappings().one())
        for day in (10, 11):
            new = int(conn.scalar(select(func.max(t.messages.c.id)))) + 1
            row.update(id=new, seq=new + 100, platform_key=None,
                       ts_local=datetime(2024, 3, day, 9))
            conn.execute(insert(t.messages).values(**row))
            _add(conn, scoped, new, "misogyny", "high")
        _add(conn, scoped, mids[3], "harassment", "low")
    return scoped


def _finding_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="finding-(\d+)"', html)]


def test_filters_live_in_the_url_and_counts_are_true(login: Any, repeated: World) -> None:
    client = login("investigator")
    url = f"/cases/{repeated.case_id}/queue"
    page = client.get(url).text  # low severity waits until asked for (issue 8)
    assert "Showing 1–2 of 2 rows (4 findings)" in page and "×3" in page
    assert "1 low-severity finding hidden" in page and 'href="?low=1">include low' in page
    page = client.get(url, params={"low": "1"}).text
    assert "Showing 1–3 of 3 rows (5 findings)" in page and "low-hidden" not in page
    assert 'id="f-low" name="low" value="1" checked' in page
    assert repeated.sample.finding_ids[2] not in _finding_ids(page)  # outside the scope
    flat = client.get(url, params={"grouped": "0", "severity": "high"}).text
    assert "Showing 1–3 of 3" in flat and len(_finding_ids(flat)) == 3
    # The filter is kept in every finding link, so "next" follows the same queue.
    assert re.search(r'/findings/\d+\?severity=high&amp;grouped=0"', flat)
    low = client.get(url, params={"category": "harassment"}).text
    assert _finding_ids(low) == [] and "1 low-severity finding hidden" in low
    low = client.get(url, params={"category": "harassment", "low": "1"}).text
    assert _finding_ids(low) and "Showing 1–1 of 1" in low
    named = client.get(url, params={"severity": "low"}).text  # asked for by name
    assert _finding_ids(named) == _finding_ids(low) and "low-hidden" not in named
    private = client.get(url, params={"conversation": repeated.sample.private_id}).text
    assert _finding_ids(private) == [] and "Showing 0 of 0" in private
    assert client.get(url, params={"day_from": "not a date"}).status_code == 200


def test_recording_a_decision_goes_to_the_next_finding(login: Any, repeated: World) -> None:
    client = login("investigator")
    c = repeated.case_id
    queue = client.get(f"/cases/{c}/queue", params={"grouped": "0",
                                                   "decision": "undecided"}).text
    ids = _finding_ids(queue)
    assert len(ids) == 4  # the low one waits
    finding = client.get(f"/cases/{c}/findings/{ids[0]}?decision=undecided&grouped=0").text
    assert f"/findings/{ids[1]}?decision=undecided&amp;grouped=0" in finding
    response = client.post(f"/cases/{c}/findings/{ids[0]}/decision", data={
        "csrf": client.csrf, "decision": "relevant",
        "queue": "decision=undecided&grouped=0"})
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/cases/{c}/findings/{ids[1]}?decision=undecided&grouped=0")
    last = client.post(f"/cases/{c}/findings/{ids[-1]}/decision", data={
        "csrf": client.csrf, "decision": "relevant", "queue": "grouped=0"})
    assert last.headers["location"] == f"/cases/{c}/queue?grouped=0"


def test_a_selected_group_is_decided_finding_by_finding(login: Any, store: Store,
                                                        repeated: World) -> None:
    client = login("investigator")
    c = repeated.case_id
    head = repeated.sample.finding_ids[0]
    single = repeated.sample.finding_ids[1]
    outside = repeated.sample.finding_ids[3]
    response = client.post(f"/cases/{c}/decisions", data={
        "csrf": client.csrf, "decision": "not_relevant", "group": [head],
        "finding": [single], "queue": "", "page": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{c}/queue?page=1"
    with store.engine.connect() as conn:
        decided = sorted(conn.scalars(select(decisions.c.finding_id)))
        audited = [json.loads(x)["finding"] for x in conn.scalars(
            select(audit_events.c.object_ids).where(audit_events.c.action == "review.decide"))]
    assert len(decided) == 4 and head in decided and single in decided
    assert sorted(a[0] for a in audited) == decided and all(len(a) == 1 for a in audited)
    refused = client.post(f"/cases/{c}/decisions", data={
        "csrf": client.csrf, "decision": "relevant", "finding": [outside]})
    assert refused.status_code in (403, 404)
    with store.engine.connect() as conn:
        assert outside not in set(conn.scalars(select(decisions.c.finding_id)))
    page = client.get(f"/cases/{c}/queue", params={"decision": "undecided", "low": "1"}).text
    assert "Showing 1–1 of 1" in page


def test_pages_link_onwards(login: Any, store: Store, scoped: World) -> None:
    with store.engine.begin() as conn:
        for _ in range(205):
            _add(conn, scoped, scoped.sample.message_ids[5], "harassment", "low")
    client = login("investigator")
    url = f"/cases/{scoped.case_id}/queue"
    first = client.get(url, params={"grouped": "0", "low": "1"}).text
    assert "Showing 1–200 of 207" in first and 'href="?low=1&amp;grouped=0&amp;page=2"' in first
    second = client.get(url, params={"grouped": "0", "page": "2", "low": "1"}).text
    assert "Showing 201–207 of 207" in second and len(_finding_ids(second)) == 7
    assert not set(_finding_ids(first)) & set(_finding_ids(second))
