"""A finding's page names the other exhibits of the case that hold the same message."""

from __future__ import annotations

from typing import Any

from conductlens.review.sample import World, authorise_sample_scope, write_sample
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.groups import link_conversations, record_copies


def test_the_page_says_which_other_exhibit_holds_the_message(
        login: Any, store: Store, world: World) -> None:
    second = write_sample(store)  # the same chat again, as a second phone would hold it
    with store.engine.begin() as conn:
        link_conversations(conn, second.exhibit_id)
        record_copies(conn, second.exhibit_id)
    authorise_sample_scope(store, world, conversations=[world.sample.group_id, second.group_id])
    with store.engine.connect() as conn:
        reference = conn.scalar(t.exhibits.select().with_only_columns(
            t.exhibits.c.reference).where(t.exhibits.c.id == second.exhibit_id))
    finding = world.sample.finding_ids[0]
    page = login("investigator").get(f"/cases/{world.case_id}/findings/{finding}").text
    shown = page.split('data-testid="also-in">')[1].split("</p>")[0]
    assert shown == (f"The same message is also held by {reference}; it is listed and "
                     "counted once, here.")
