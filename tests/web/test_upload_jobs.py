"""Uploads are received in the request and ingested by a job, never inside the request."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events

EXPORT = (b"01/03/2024, 09:00 - +44 7700 900002: Morning all, briefing at 10\n"
          b"06/03/2024, 22:05 - +44 7700 900003: see you there\n")
NAME = "WhatsApp Chat with Night Shift.txt"


def _exhibits(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.scalars(select(t.exhibits.c.original_name)))


def _upload(client: Any, case_id: int, data: bytes = EXPORT, name: str = NAME) -> Any:
    return client.post(f"/cases/{case_id}/exhibits", data={"csrf": client.csrf},
                       files={"upload": (name, data, "text/plain")})


def test_upload_answers_with_a_job_and_ingests_only_when_the_job_runs(
        login: Any, world: World, store: Store, run_jobs: Any) -> None:
    client = login("investigator")
    response = _upload(client, world.case_id)
    assert response.status_code == 303
    job_url = response.headers["location"]
    assert job_url.startswith("/jobs/")
    assert NAME not in _exhibits(store)  # the request ingested nothing
    page = client.get(job_url).text
    assert "Waiting to start" in page and 'http-equiv="refresh"' in page
    assert client.get(f"/api{job_url}").json()["state"] == "queued"

    [job] = run_jobs()
    assert job.state == "done", job.error
    assert NAME in _exhibits(store)
    page = client.get(job_url).text
    assert "refresh" not in page
    assert f'href="/cases/{world.case_id}?tab=exhibits#exhibit-{job.result_ref}"' in page
    assert "2 messages" in page
    exhibits = client.get(f"/cases/{world.case_id}?tab=exhibits").text
    assert f'id="exhibit-{job.result_ref}"' in exhibits
    with store.engine.connect() as conn:  # audited as the investigator, as a direct ingest is
        detail = conn.scalar(select(audit_events.c.detail).where(
            audit_events.c.action == "exhibit.add", audit_events.c.username == "investigator"))
    assert json.loads(str(detail))["reference"] == job.result_ref
    assert not any((store.exhibit_dir / "uploads").rglob(NAME))  # the held upload is gone


def test_a_failed_upload_says_why_in_one_line_naming_the_file(
        login: Any, world: World, store: Store, run_jobs: Any) -> None:
    client = login("investigator")
    job_url = _upload(client, world.case_id, b"this is not a chat at all\n",
                      "notes.txt").headers["location"]
    [job] = run_jobs()
    assert job.state == "failed"
    assert job.error and "\n" not in job.error and job.error.startswith("notes.txt")
    assert str(store.exhibit_dir) not in job.error and "this is not a chat" not in job.error
    page = client.get(job_url).text
    assert f"Failed: {job.error}" in page
    assert "notes.txt" not in _exhibits(store)


def test_only_the_person_who_asked_sees_the_job(
        login: Any, world: World, run_jobs: Any) -> None:
    job_url = _upload(login("investigator"), world.case_id).headers["location"]
    for role in ("supervisor", "auditor", "admin"):
        assert login(role).get(job_url).status_code in (403, 404), role
    assert login("investigator").get("/jobs/999").status_code == 404


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(
        login: Any, world: World, store: Store) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    client = login("investigator")
    app = client.app
    app.state.settings = replace(app.state.settings, max_upload_mb=1)
    response = _upload(client, world.case_id, b"x" * (1024 * 1024 + 1))
    assert response.status_code == 400 and "larger than 1 MB" in response.text
    assert isinstance(client, TestClient)
    with store.engine.connect() as conn:
        from conductlens.store.tables_jobs import jobs

        assert conn.scalar(select(func.count()).select_from(jobs)) == 0
    assert not [p for p in (store.exhibit_dir / "uploads").rglob("*") if p.is_file()]


def test_an_ingest_run_by_a_worker_in_another_process_shows_how_far_it_has_got(
        login: Any, world: World, store: Store) -> None:
    from sqlalchemy import update

    from conductlens.jobs.base import job_folder
    from conductlens.jobs.runner import PROGRESS_FILE
    from conductlens.store.tables_jobs import jobs as jobs_table

    client = login("investigator")
    job_url = _upload(client, world.case_id).headers["location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    with store.engine.begin() as conn:  # as `jobs run --watch` leaves the row and its folder
        conn.execute(update(jobs_table).values(state="running", worker="elsewhere:1"))
    folder = job_folder(store, job_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROGRESS_FILE).write_text("20000")
    page = client.get(job_url).text
    assert "20000 records read so far" in page and 'http-equiv="refresh"' in page
    assert client.get(f"/api{job_url}").json()["progress"] == 20000
    exhibits = client.get(f"/cases/{world.case_id}?tab=exhibits").text
    assert f"adding {NAME}: <strong>running</strong> (20000 records read so far)" in exhibits
