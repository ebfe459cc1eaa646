"""The analyst's trends: SVG charts with a table each, counting only in-scope findings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from conductlens.review.access import ReviewSession
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import case_hours


def test_trends_chart_and_tabulate_in_scope_counts_only(login: Any, scoped: World,
                                                        store: Store) -> None:
    ReviewSession(store.engine, scoped.users["investigator"], scoped.case_id).decide(
        scoped.sample.finding_ids[0], "relevant", "")
    with store.engine.begin() as conn:
        conn.execute(insert(case_hours).values(case_id=scoped.case_id, username="investigator",
                                               hours=2.5, logged_at=datetime.now(UTC)))
    page = login("analyst").get("/key-facts/trends")
    assert page.status_code == 200
    html = page.text
    figures = html.split("<h1>Trends</h1>")[1]
    assert figures.count("<svg") == 5 and "<script" not in figures and "//cdn" not in html
    by_category = html.split('data-testid="Findings-by-category"')[1].split("</table>")[0]
    assert "misogyny" in by_category and "misuse_of_systems" in by_category
    assert "confidentiality" not in by_category  # both such findings lie outside the scope
    by_month = html.split('data-testid="Findings-by-month"')[1].split("</table>")[0]
    assert "<th scope=\"row\">2024-03</th><td>2</td>" in by_month
    decided = html.split('data-testid="Decisions-by-month"')[1].split("</table>")[0]
    assert "<td>1</td>" in decided
    hours = html.split('data-testid="Hours-by-case"')[1].split("</table>")[0]
    assert "2.5" in hours
    assert "Alan Grant" not in html and "slag" not in html


def test_trends_need_the_totals_permission(login: Any, scoped: World) -> None:
    assert login("auditor").get("/key-facts/trends").status_code == 200  # counts only
    assert login("analyst").get("/key-facts/trends").status_code == 200
