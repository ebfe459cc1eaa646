"""The register page: identifiers with kind and date, adding one, the CSV summary, matching
again; and where a subject's link came from, on the case and people pages."""

from __future__ import annotations

from typing import Any

from conductlens.review.sample import World

CSV = ("staff_number,name,force,team,role,kind,identifier,declared_on\n"
       "PC1004,Dana Fox,Example Police,Team B,PC,signal,07700 900004,2024-02-02\n"
       "PC1005,Ed Moss,Example Police,Team B,PC,whatsapp,not a number,2024-02-03\n")


def _upload(client: Any, data: str) -> Any:
    return client.post("/register/import", data={"csrf": client.csrf},
                       files={"upload": ("register.csv", data.encode(), "text/csv")})


def test_admin_imports_adds_and_matches_with_a_summary(login: Any, scoped: World) -> None:
    admin = login("admin")
    page = _upload(admin, CSV)
    assert page.status_code == 200
    assert ("2 rows read: 1 person added, 0 updated; 1 identifier added, 0 already held; "
            "1 row refused") in page.text
    assert ("line 3, field identifier: &#39;not a number&#39; is not a valid phone number "
            "or WhatsApp JID") in page.text
    beth = scoped.person_ids["PC1002"]
    page = admin.post(f"/register/people/{beth}/identifiers", data={
        "csrf": admin.csrf, "kind": "instagram", "value": "@Beth.J", "declared_on": "2024-03-01"})
    assert "Identifier added." in page.text
    assert "<td>Instagram</td><td>beth.j</td><td>declared 2024-03-01</td>" in page.text
    assert "<td>Signal</td><td>+447700900004</td><td>declared 2024-02-02</td>" in page.text
    page = admin.post("/register/match", data={"csrf": admin.csrf})
    assert "1 participant linked; 0 matched more than one person" in page.text
    assert ("EXH-S0001: matched by the declared Signal identifier, declared 2024-02-02, on "
            "the participant&#39;s phone number (+447700900004)") in page.text
    refused = admin.post(f"/register/people/{beth}/identifiers", data={
        "csrf": admin.csrf, "kind": "email", "value": "beth@", "declared_on": ""})
    assert refused.status_code == 400 and "is not an e-mail address" in refused.text


def test_only_admins_see_or_change_identifiers(login: Any, scoped: World) -> None:
    investigator = login("investigator")
    page = investigator.get("/register").text
    assert "Alan Grant" in page and "+447700900001" not in page
    assert "Add an identifier" not in page and "Match participants" not in page
    assert _upload(investigator, CSV).status_code == 403
    assert investigator.post("/register/match",
                             data={"csrf": investigator.csrf}).status_code == 403


def test_the_case_says_how_each_subject_was_linked(login: Any, scoped: World) -> None:
    investigator = login("investigator")
    how = ("EXH-S0001: matched by the declared WhatsApp identifier, on the participant&#39;s "
           "phone number")
    case = investigator.get(f"/cases/{scoped.case_id}?tab=people").text
    assert how in case and "+447700900001" not in case
    people = investigator.get(f"/cases/{scoped.case_id}/people").text
    assert how in people
    # Beth is linked too, but shown as a pseudonym: her link is not mentioned.
    assert people.count('data-testid="linked-by"') == 1
