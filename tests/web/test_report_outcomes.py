"""Investigators record outcomes in the web UI; regulation 42 refusals come back named."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_report import outcomes

FORM = {"case_type": "conduct_matter", "subject_type": "police_officer",
        "recorded_on": "2025-01-06", "case_to_answer": "yes",
        "proceeding": "misconduct_hearing", "finding": "gross_misconduct",
        "action": "dismissal_without_notice", "finalised_on": "2025-12-19",
        "standards": ["Equality and diversity", "Discreditable conduct"]}


def test_record_an_outcome_then_its_referral(login: Any, world: World, store: Store) -> None:
    client = login("investigator")
    pid = world.person_ids["PC1001"]
    page = client.get(f"/cases/{world.case_id}/outcomes")
    assert page.status_code == 200 and "Alan Grant (PC1001)" in page.text
    saved = client.post(f"/cases/{world.case_id}/outcomes",
                        data={**FORM, "person_id": str(pid), "csrf": client.csrf})
    assert saved.status_code == 303, saved.text
    page = client.get(f"/cases/{world.case_id}/outcomes")
    assert "Dismissal without notice" in page.text and "due by 30 Dec 2025" in page.text
    with store.engine.connect() as conn:
        oid = conn.scalar(select(outcomes.c.id))
    referral = {"outcome_id": str(oid), "name": "Alan Grant", "force": "Example Police",
                "date_of_birth": "1985-04-02", "status": "police officer", "rank": "PC",
                "warrant_number": "1001", "reasons": "Gross misconduct",
                "sent_on": "2025-12-22", "csrf": client.csrf}
    assert client.post(f"/cases/{world.case_id}/outcomes/referral",
                       data=referral).status_code == 303
    assert "Referred to the College of Policing" in client.get(
        f"/cases/{world.case_id}/outcomes").text


def test_a_meeting_cannot_dismiss(login: Any, world: World, store: Store) -> None:
    client = login("investigator")
    bad = {**FORM, "proceeding": "misconduct_meeting", "finding": "misconduct",
           "person_id": str(world.person_ids["PC1001"]), "csrf": client.csrf}
    response = client.post(f"/cases/{world.case_id}/outcomes", data=bad)
    assert response.status_code == 400
    assert "only disciplinary action is a written warning or a final written warning" in (
        response.text)
    with store.engine.connect() as conn:
        assert conn.scalar(select(outcomes.c.id)) is None


def test_analysts_cannot_record_outcomes(login: Any, world: World) -> None:
    client = login("analyst")
    response = client.post(f"/cases/{world.case_id}/outcomes",
                           data={**FORM, "person_id": "1", "csrf": client.csrf})
    assert response.status_code == 403


def test_bundle_button_queues_a_job_that_downloads_a_recorded_disclosure(
        login: Any, scoped: World, store: Store, run_jobs: Any) -> None:
    import io
    import zipfile

    from conductlens.store.tables_review import audit_events

    client = login("investigator")
    assert "Prepare the bundle" in client.get(f"/cases/{scoped.case_id}?tab=disclosure").text
    response = client.post(f"/cases/{scoped.case_id}/bundle",
                           data={"recipient": "Panel", "csrf": client.csrf})
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    assert job_url.startswith("/jobs/")
    assert 'http-equiv="refresh"' in client.get(job_url).text  # queued: the page refreshes
    with store.engine.connect() as conn:  # nothing disclosed until the job runs
        assert conn.scalar(select(audit_events.c.id).where(
            audit_events.c.action == "disclosure.bundle")) is None
    [job] = run_jobs()
    assert job.state == "done", job.error
    page = client.get(job_url).text
    assert "refresh" not in page and f"{job_url}/bundle.zip" in page
    response = client.get(f"{job_url}/bundle.zip")
    assert response.status_code == 200, response.text
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(n.split("/")[1] for n in names) == ["bundle.html", "bundle.pdf",
                                                      "manifest.json"]
    with store.engine.connect() as conn:
        assert conn.scalar(select(audit_events.c.id).where(
            audit_events.c.action == "disclosure.bundle")) is not None
    other = login("supervisor")  # on the team, but the bundle is the investigator's
    assert other.get(f"{job_url}/bundle.zip").status_code == 404
