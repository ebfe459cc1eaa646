"""The analysts' key facts dashboard: charts with their tables, filters, CSV and XLSX."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from conductlens.demo.outcome_history import TABLE_1_1, plan, write_history
from conductlens.review.sample import World
from conductlens.store import Store


def _history(store: Store) -> None:
    with store.engine.begin() as conn:
        write_history(conn, plan(TABLE_1_1, "2021-22"), "Example Police", "HIST")


def test_dashboard_shows_table_1_1_and_filters(login: Any, world: World, store: Store) -> None:
    _history(store)
    client = login("analyst")
    page = client.get("/key-facts?year=2021-22")
    assert page.status_code == 200
    assert 'data-testid="cases-finalised"><strong>1,442</strong>' in page.text
    assert "<svg" in page.text and "<script" not in page.text.split("<main")[1]
    assert "<td>105</td><td>46</td><td>6</td><td>157</td>" in page.text  # complaints row
    hearing = client.get("/key-facts?year=2021-22&proceeding=misconduct_hearing")
    assert "<strong>361</strong>" in hearing.text


def test_csv_and_xlsx_exports(login: Any, world: World, store: Store) -> None:
    _history(store)
    client = login("analyst")
    csv_text = client.get("/key-facts/export.csv?year=2021-22").text
    assert "Conduct matter,471,189,124,784" in csv_text
    xlsx = client.get("/key-facts/export.xlsx?year=2021-22")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["proceedings"].iter_rows(values_only=True))
    assert rows[2] == ("Complaint", 105, 46, 6, 157)
    assert rows[-1] == ("Total", 776, 361, 305, 1442)


def test_national_page_lists_each_force(login: Any, world: World, store: Store,
                                        tmp_path: Any) -> None:
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from conductlens.report.key_facts import compute
    from conductlens.report.national import aggregate_document, import_aggregate

    trusted = {}
    with store.engine.begin() as conn:
        for n in (1, 2):
            key = Ed25519PrivateKey.generate()
            trusted[f"Force {n}"] = key.public_key().public_bytes_raw().hex()
            doc = aggregate_document(compute(plan(TABLE_1_1, "2021-22", seed=n), "2021-22"),
                                     f"Force {n}", key)
            path = tmp_path / f"f{n}.json"
            path.write_text(json.dumps(doc))
            import_aggregate(conn, path, trusted, "analyst")
    page = login("analyst").get("/key-facts/national")
    assert page.status_code == 200
    assert "England and Wales (2 forces)" in page.text and "2,884" in page.text
