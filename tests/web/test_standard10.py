"""The Standard 10 pages: scope applies, bystanders stay pseudonyms, outside is a total."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from conductlens.review.sample import World


def test_case_view_masks_bystanders_and_counts_what_is_withheld(login: Any, scoped: World
                                                                ) -> None:
    client = login("investigator")
    page = client.get(f"/cases/{scoped.case_id}/standard10")
    assert page.status_code == 200, page.text
    assert "Alan Grant" in page.text  # the subject
    assert "Beth Jones" not in page.text and "Carl Diaz" not in page.text
    assert "Participant 0" in page.text
    assert "Flagged messages outside the scope: 2" in page.text
    assert "<svg" in page.text and "<script" not in page.text.split("<main", 1)[1]


def test_incident_responses(login: Any, scoped: World) -> None:
    client = login("investigator")
    incident = scoped.sample.message_ids[1]
    page = client.get(f"/cases/{scoped.case_id}/standard10/messages/{incident}")
    assert page.status_code == 200, page.text
    rows = {label: page.text.split(f'data-label="{label}"', 1)[1].split("</tr>", 1)[0]
            for label in ("endorsed", "challenged", "silent")}
    assert "Participant" in rows["endorsed"] and "Participant" in rows["challenged"]
    assert "none" in rows["silent"]


def test_incident_outside_the_scope_is_not_found(login: Any, scoped: World) -> None:
    client = login("investigator")
    outside = scoped.sample.message_ids[6]
    page = client.get(f"/cases/{scoped.case_id}/standard10/messages/{outside}")
    assert page.status_code == 404


def test_member_record(login: Any, scoped: World) -> None:
    client = login("investigator")
    case = client.get(f"/cases/{scoped.case_id}/standard10").text
    who = case.split("standard10/person?who=", 1)[1].split('"', 1)[0]
    page = client.get(f"/cases/{scoped.case_id}/standard10/person?who={who}")
    assert page.status_code == 200, page.text
    assert "Standard 10 record" in page.text
    missing = client.get(f"/cases/{scoped.case_id}/standard10/person?who={quote('person:999')}")
    assert missing.status_code == 404
