"""The DPO's audit view: paged by id, filtered (kept in the URL), objects named, who saw
what, and a CSV of exactly what is filtered."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from conductlens.review import audit
from conductlens.review.audit_view import PAGE
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events


def _many_views(store: Store, world: World, n: int) -> None:
    for i in range(n):
        audit.record(store.engine, audit.AuditEvent(
            "investigator", "view.finding", world.case_id,
            {"finding": [world.sample.finding_ids[i % 2]], "exhibit": [world.sample.exhibit_id]},
            "Allegation concerns the Team B group."))


def test_the_log_is_paged_newest_first_and_the_view_is_audited(
        login: Any, scoped: World, store: Store) -> None:
    _many_views(store, scoped, PAGE + 20)
    aud = login("auditor")
    first = aud.get("/audit", params={"action": "view.finding"}).text
    body = first.split("<tbody>")[1]
    assert body.count("<tr>") == PAGE and "Older records" in first
    with store.engine.connect() as conn:
        ref = conn.scalar(select(t.exhibits.c.reference).where(
            t.exhibits.c.id == scoped.sample.exhibit_id))
    assert ref and ref in body and '"finding":[' not in body  # named, not JSON
    assert f'/cases/{scoped.case_id}/findings/{scoped.sample.finding_ids[0]}' in body
    assert body.count("Allegation concerns") == 1  # the rationale once, then "as above"
    assert " UTC</time>" in body
    assert '<option value="view.finding" selected>' in first  # actions from the log
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = aud.get(older.replace("&amp;", "&")).text.split("<tbody>")[1]
    assert second.count("<tr>") == 20
    with store.engine.connect() as conn:
        last = conn.execute(select(audit_events).order_by(audit_events.c.id.desc())).first()
    assert last is not None and last.action == "audit.view" and '"action":"view.finding"' in \
        last.detail


def test_filters_by_object_and_date_and_the_csv_matches(login: Any, scoped: World,
                                                        store: Store) -> None:
    _many_views(store, scoped, 6)
    aud = login("auditor")
    params = {"object_kind": "finding", "object_id": str(scoped.sample.finding_ids[1]),
              "username": "investigator", "date_from": "2000-01-01"}
    page = aud.get("/audit", params=params).text.split("<tbody>")[1]
    assert page.count("<tr>") == 3
    rows = list(csv.DictReader(io.StringIO(aud.get("/audit/export.csv", params=params).text)))
    assert len(rows) == 3 and all(f"[{scoped.sample.finding_ids[1]}]" in r["object_ids"]
                                  for r in rows)
    future = aud.get("/audit", params={"date_from": "2999-01-01"}).text.split("<tbody>")[1]
    assert "<tr>" not in future
    assert aud.get("/audit", params={"date_to": "soon"}).status_code != 200


def test_who_saw_what_per_case_and_person(login: Any, scoped: World, store: Store) -> None:
    _many_views(store, scoped, 4)
    seen = login("auditor").get("/audit/seen", params={"case_id": scoped.case_id}).text
    table = seen.split('data-testid="seen"')[1]
    assert "investigator" in table and "2 findings" in table and "1 exhibit" in table


def test_the_page_finds_an_old_record_edited_after_it_was_verified(
        login: Any, scoped: World, store: Store) -> None:
    aud = login("auditor")
    assert "Chain verified" in aud.get("/audit").text  # the chain so far is marked verified
    with store.engine.begin() as conn:
        conn.execute(audit_events.update().where(audit_events.c.id == 2)
                     .values(username="someone"))
    assert "Chain broken at record 2" in aud.get("/audit").text


def test_an_exhibit_the_command_line_recorded_by_reference_is_named(
        login: Any, scoped: World, store: Store) -> None:
    """`conductlens ingest` records the exhibit as "EXH-00003", the web by its id: the page
    reads both (it once answered 500 to every auditor after a command-line ingest)."""
    audit.record(store.engine, audit.AuditEvent(
        "cli:custodian", "exhibit.add", None, {"exhibit": ["EXH-00003"]},
        "exhibit collected by command line"))
    aud = login("auditor")
    page = aud.get("/audit")
    assert page.status_code == 200
    assert "EXH-00003" in page.text.split("<tbody>")[1]
    assert aud.get("/audit/seen").status_code == 200


def test_a_records_detail_reads_as_labelled_lines_not_json(
        login: Any, scoped: World, store: Store) -> None:
    audit.record(store.engine, audit.AuditEvent(
        "cli:custodian", "cli.search", None, {},
        "evidence custodian search by command line",
        {"case": "PSD/1", "terms": ["delete", "chat"], "limit": 50, "recipient": None}))
    rows = login("auditor").get("/audit").text.split("<tbody>")[1].split("</tr>")
    (row,) = [r for r in rows if "cli.search" in r]
    assert '<span class="muted">terms:</span> delete, chat' in row
    assert '<span class="muted">limit:</span> 50' in row
    assert "recipient" not in row and '{"case"' not in row
