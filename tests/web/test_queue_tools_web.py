"""Queue tools in the web UI: tags with comments on a finding and on a selection, the tag
filter in the URL, and the force's own tags."""

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
from conductlens.store.tables_review import audit_events


@pytest.fixture
def repeated(store: Store, scoped: World) -> World:
    """The scoped sample with the 6 March remark posted again on 10 March (a group of 2)."""
    mids = scoped.sample.message_ids
    with store.engine.begin() as conn:
        row = dict(conn.execute(select(t.messages).where(t.messages.c.id == mids[1])
                                ).mappings().one())
        new = int(conn.scalar(select(func.max(t.messages.c.id)))) + 1
        row.update(id=new, seq=new + 100, platform_key=None, ts_local=datetime(2024, 3, 10, 9))
        conn.execute(insert(t.messages).values(**row))
        conn.execute(insert(t.findings).values(
            message_id=new, exhibit_id=scoped.sample.exhibit_id, category="misogyny",
            standards=json.dumps(["Equality and diversity"]), severity="high", score=0.92,
            detector="test", spans="[]", explanation="test finding", policy_version="t",
            created_at=datetime.now(UTC)))
    return scoped


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="finding-(\d+)"', html)]


def _actions(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.scalars(select(audit_events.c.action).order_by(audit_events.c.id)))


def test_a_reviewer_tags_a_finding_with_a_comment(login: Any, scoped: World) -> None:
    client = login("investigator")
    fid = scoped.sample.finding_ids[0]
    url = f"/cases/{scoped.case_id}/findings/{fid}"
    page = client.get(url, params={"sort": "time"}).text
    assert f'action="/cases/{scoped.case_id}/findings/{fid}/tags"' in page
    assert '<option value="questionable">' in page
    response = client.post(f"{url}/tags", data={
        "csrf": client.csrf, "tag": "questionable", "comment": "Ask who it was about",
        "queue": "sort=time"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?sort=time#tags"
    shown = client.get(url).text
    tags = shown.split('data-testid="finding-tags"')[1].split("</ul>")[0]
    assert "questionable" in tags and "Ask who it was about" in tags
    response = client.post(f"{url}/tags/remove", data={"csrf": client.csrf,
                                                        "tag": "questionable"})
    assert response.status_code == 303
    assert "No tags." in client.get(url).text


def test_the_tag_filter_lives_in_the_url(login: Any, scoped: World) -> None:
    client = login("investigator")
    first, second = scoped.sample.finding_ids[:2]
    client.post(f"/cases/{scoped.case_id}/findings/{second}/tags",
                data={"csrf": client.csrf, "tag": "non-compliant"})
    page = client.get(f"/cases/{scoped.case_id}/queue", params={"tag": "non-compliant"}).text
    assert _ids(page) == [second] and first not in _ids(page)
    assert '<option value="non-compliant" selected>' in page
    assert f'/findings/{second}?tag=non-compliant"' in page  # kept for "next"
    assert f'data-testid="tag-{second}"' in page


def test_bulk_tagging_tags_each_finding_of_a_ticked_group(login: Any, repeated: World,
                                                          store: Store) -> None:
    client = login("investigator")
    url = f"/cases/{repeated.case_id}/queue"
    page = client.get(url).text
    assert f'formaction="/cases/{repeated.case_id}/tags"' in page
    head = int(re.search(r'name="group" value="(\d+)"', page).group(1))  # type: ignore[union-attr]
    single = repeated.sample.finding_ids[1]
    response = client.post(f"/cases/{repeated.case_id}/tags", data={
        "csrf": client.csrf, "tag": "non-compliant", "comment": "the same remark, twice",
        "group": [str(head)], "finding": [str(single)], "queue": "", "page": "1"})
    assert response.status_code == 303 and response.headers["location"].endswith("page=1")
    tagged = client.get(url, params={"tag": "non-compliant", "grouped": "0"}).text
    assert len(_ids(tagged)) == 3  # both findings of the group, and the single one
    with store.engine.connect() as conn:
        event = conn.execute(select(audit_events.c.object_ids).where(
            audit_events.c.action == "review.tag")).scalar_one()
    assert len(json.loads(event)["finding"]) == 3


def test_tagging_outside_the_scope_is_a_recorded_not_found(login: Any, scoped: World,
                                                          store: Store) -> None:
    client = login("investigator")
    outside = scoped.sample.finding_ids[2]
    response = client.post(f"/cases/{scoped.case_id}/findings/{outside}/tags",
                           data={"csrf": client.csrf, "tag": "compliant"})
    assert response.status_code == 404
    assert "review.tag" not in _actions(store) and _actions(store)[-1] == "access.denied"
    bulk = client.post(f"/cases/{scoped.case_id}/tags", data={
        "csrf": client.csrf, "tag": "compliant",
        "finding": [str(scoped.sample.finding_ids[0]), str(outside)]})
    assert bulk.status_code == 404 and "review.tag" not in _actions(store)


def test_a_supervisor_adds_a_force_tag_reviewers_then_use(login: Any, scoped: World) -> None:
    supervisor = login("supervisor")
    page = supervisor.get("/tags").text
    assert 'href="/tags"' in page  # reachable from the main menu
    assert "questionable" in page and "New tag name" in page
    response = supervisor.post("/tags", data={"csrf": supervisor.csrf, "name": "Needs legal"})
    assert response.status_code == 303 and response.headers["location"] == (
        "/tags#tag-needs-legal")
    assert "needs legal" in supervisor.get("/tags").text
    refused = supervisor.post("/tags", data={"csrf": supervisor.csrf, "name": "compliant"})
    assert refused.status_code == 400
    investigator = login("investigator")
    assert investigator.get("/tags").status_code == 403
    queue = investigator.get(f"/cases/{scoped.case_id}/queue").text
    assert '<option value="needs legal">' in queue


def test_escalate_to_the_supervisor_who_finds_it_and_reviews_it(login: Any, scoped: World,
                                                                store: Store) -> None:
    investigator, supervisor = login("investigator"), login("supervisor")
    fid = scoped.sample.finding_ids[0]
    url = f"/cases/{scoped.case_id}/findings/{fid}"
    page = investigator.get(url).text
    assert "Escalate to" in page and '<option value="supervisor">' in page
    assert "Not escalated." in page
    response = investigator.post(f"{url}/escalate", data={
        "csrf": investigator.csrf, "to": "supervisor", "note": "Standard 10: who laughed?",
        "queue": "severity=high"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?severity=high#escalation"
    page = investigator.get(url).text
    assert "awaiting second review" in page and "Record second review" not in page
    assert 'id="esc-to"' not in page  # one open escalation at a time

    mine = supervisor.get(f"/cases/{scoped.case_id}/queue", params={"escalation": "to_me"})
    assert _ids(mine.text) == [fid] and f'data-testid="escalated-{fid}"' in mine.text
    assert '<option value="to_me" selected>escalated to me</option>' in mine.text
    assert _ids(investigator.get(f"/cases/{scoped.case_id}/queue",
                                 params={"escalation": "to_me"}).text) == []
    page = supervisor.get(url, params={"escalation": "to_me"}).text
    assert "Record second review" in page
    response = supervisor.post(f"{url}/second-review", data={
        "csrf": supervisor.csrf, "decision": "relevant", "note": "It endorses the remark",
        "queue": "escalation=to_me"})
    assert response.status_code == 303
    page = supervisor.get(url).text
    assert "Second review by supervisor" in page and "It endorses the remark" in page
    assert {"review.escalate", "review.second_review"} <= set(_actions(store))


def test_a_second_review_by_someone_not_named_is_refused(login: Any, scoped: World) -> None:
    investigator = login("investigator")
    fid = scoped.sample.finding_ids[0]
    response = investigator.post(f"/cases/{scoped.case_id}/findings/{fid}/second-review",
                                 data={"csrf": investigator.csrf, "decision": "relevant"})
    assert response.status_code == 400 and "not awaiting your second review" in response.text
    off_team = investigator.post(f"/cases/{scoped.case_id}/findings/{fid}/escalate", data={
        "csrf": investigator.csrf, "to": "admin", "note": "please look at this"})
    assert off_team.status_code == 400


def test_the_finding_page_lists_the_senders_other_findings(login: Any, scoped: World,
                                                           store: Store) -> None:
    with store.engine.begin() as conn:  # two findings on Carl Diaz's messages (a bystander)
        carl = [int(conn.execute(insert(t.findings).values(
            message_id=scoped.sample.message_ids[i], exhibit_id=scoped.sample.exhibit_id,
            category="harassment", standards="[]", severity="medium", score=0.5,
            detector="test", spans="[]", explanation="test", policy_version="t",
            created_at=datetime.now(UTC))).inserted_primary_key[0]) for i in (3, 5)]
    client = login("investigator")
    page = client.get(f"/cases/{scoped.case_id}/findings/{carl[0]}").text
    count = page.split('data-testid="sender-count"')[1].split("</p>")[0]
    assert "Participant" in count and "1 other finding inside the scope" in count
    assert "Carl" not in page and "Diaz" not in page
    assert f'data-testid="other-{carl[1]}"' in page
    link = re.search(r'href="(/cases/\d+/queue\?sender=[^"]+)"', page)
    assert link is not None
    queue = client.get(link.group(1).replace("&amp;", "&")).text
    assert sorted(_ids(queue)) == sorted(carl)
    alan = client.get(f"/cases/{scoped.case_id}/findings/{scoped.sample.finding_ids[0]}").text
    assert f'data-testid="other-{scoped.sample.finding_ids[1]}"' in alan
    assert f'data-testid="other-{scoped.sample.finding_ids[2]}"' not in alan  # outside


def test_the_keys_for_tag_and_escalate_are_wired_and_listed(login: Any, scoped: World) -> None:
    client = login("investigator")
    page = client.get(f"/cases/{scoped.case_id}/findings/{scoped.sample.finding_ids[0]}").text
    assert 'data-key-focus="t"' in page and 'data-key-focus="e"' in page
    keys = page.split('id="keys-help"')[1].split("</aside>")[0]
    for key in ("j", "k", "r", "n", "c", "e", "t", "]", "?", "Esc"):
        assert f"<kbd>{key}</kbd>" in keys, key
    script = client.get("/static/app.js").text
    assert "focusField" in script and "http" not in script  # plain, local script
    queue = client.get(f"/cases/{scoped.case_id}/queue").text
    assert 'id="bulk-tag" name="tag" data-key-focus="t"' in queue
