"""The case page's scan button queues a job and answers at once; the job page shows how far it
has got and then its findings by severity; the server answers while a scan runs."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from conductlens.review.sample import PASSWORD, LongChat, World
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_jobs import jobs as jobs_table
from conductlens.web.app import create_app
from conductlens.web.settings import WebSettings


def _findings(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.findings)) or 0)


def _scan(client: Any, case_id: int) -> Any:
    return client.post(f"/cases/{case_id}/scan", data={"csrf": client.csrf})


def test_the_scan_button_queues_a_job_and_its_page_ends_with_its_findings(
        login: Any, world: World, chat: LongChat, store: Store, run_jobs: Any) -> None:
    client = login("investigator")
    before = _findings(store)
    response = _scan(client, world.case_id)
    assert response.status_code == 303
    job_url = response.headers["location"]
    assert job_url.startswith("/jobs/")
    assert _findings(store) == before  # the request scanned nothing: the job is queued
    page = client.get(job_url).text
    assert "Baseline policy scan" in page and "Waiting to start" in page
    assert 'http-equiv="refresh"' in page
    assert client.get(f"/api{job_url}").json()["state"] == "queued"
    # asked again while it waits: the same job, not a second scan of the same messages
    assert _scan(client, world.case_id).headers["location"] == job_url

    [job] = run_jobs()
    assert job.state == "done", job.error
    assert _findings(store) == before + job.summary["findings"]
    page = client.get(job_url).text
    assert "refresh" not in page
    assert (f"{job.summary['messages']} messages scanned, {job.summary['findings']} findings "
            "recorded.") in page
    sev = client.get(f"/api{job_url}").json()["summary"]["by_severity"]  # inside the scope
    assert (f"inside the authorised scope (high {sev['high']}, medium {sev['medium']}, "
            f"low {sev['low']})") in page
    assert f'href="/cases/{world.case_id}/queue"' in page
    exhibits = client.get(f"/cases/{world.case_id}?tab=exhibits").text
    assert (f'<a href="{job_url}">Job {job.id}</a>: baseline policy scan: <strong>done</strong>'
            f" ({job.summary['findings']} findings)") in exhibits
    api = client.get(f"/api{job_url}").json()
    assert api["progress"] == api["total"] == job.summary["messages"]


def test_a_running_scan_shows_messages_scanned_of_the_total(
        login: Any, world: World, store: Store) -> None:
    client = login("investigator")
    job_url = _scan(client, world.case_id).headers["location"]
    with store.engine.begin() as conn:  # as another process's worker leaves the row
        conn.execute(update(jobs_table).values(state="running", progress_done=300,
                                               progress_total=629, worker="elsewhere:1"))
    page = client.get(job_url).text
    assert "300 of 629 messages scanned" in page and 'http-equiv="refresh"' in page
    exhibits = client.get(f"/cases/{world.case_id}?tab=exhibits").text
    assert "baseline policy scan: <strong>running</strong> (300 of 629 messages)" in exhibits


def test_a_failed_scan_says_why_on_its_page(login: Any, world: World, store: Store,
                                            run_jobs: Any) -> None:
    client = login("investigator")
    job_url = _scan(client, world.case_id).headers["location"]
    with store.engine.begin() as conn:  # disabled before the job runs: it runs as nobody
        from conductlens.store.tables_review import users

        conn.execute(update(users).where(users.c.username == "investigator").values(active=False))
    [job] = run_jobs()
    assert job.state == "failed" and job.error and "\n" not in job.error
    with store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == "investigator").values(active=True))
    page = login("investigator").get(job_url).text
    assert f"Failed: {job.error}" in page


def test_only_a_case_editor_may_start_a_scan(login: Any, world: World, store: Store) -> None:
    for role in ("supervisor", "auditor", "analyst", "admin"):
        client = login(role)
        assert _scan(client, world.case_id).status_code in (403, 404), role
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(jobs_table)) == 0
    page = login("supervisor").get(f"/cases/{world.case_id}?tab=exhibits").text
    assert f'action="/cases/{world.case_id}/scan"' not in page


def test_the_server_answers_while_its_worker_runs_a_scan(
        store: Store, world: World, monkeypatch: Any) -> None:
    from conductlens.review import policy_run

    started, release = threading.Event(), threading.Event()
    real = policy_run.scan_case

    def slow_scan(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert release.wait(30), "the test never let the scan go on"
        return real(*args, **kwargs)

    monkeypatch.setattr(policy_run, "scan_case", slow_scan)
    app = create_app(store, WebSettings(secure_cookies=False, secret_key="test-secret"))
    with TestClient(app, base_url="http://localhost", follow_redirects=False) as client:
        csrf = client.post("/api/login", json={"username": "investigator",
                                               "password": PASSWORD}).json()["csrf"]
        job_url = client.post(f"/cases/{world.case_id}/scan",
                              data={"csrf": csrf}).headers["location"]
        try:
            assert started.wait(30), "the app's worker did not start the scan"
            # the scan holds the worker: pages still answer, and say it is running
            assert client.get(f"/cases/{world.case_id}").status_code == 200
            assert client.get(f"/api{job_url}").json()["state"] == "running"
        finally:
            release.set()
        for _ in range(300):
            if client.get(f"/api{job_url}").json()["state"] == "done":
                break
            threading.Event().wait(0.1)
        assert client.get(f"/api{job_url}").json()["state"] == "done"


def test_the_exhibits_tab_says_when_evidence_has_not_been_scanned_yet(
        login: Any, world: World, chat: LongChat, store: Store, run_jobs: Any) -> None:
    from conductlens.review.sample import write_long_chat, write_sample
    from conductlens.store.groups import link_case

    write_sample(store, "PSD-2024-0002")
    with store.engine.connect() as conn:
        other = int(conn.scalar(select(t.cases.c.id).where(
            t.cases.c.reference == "PSD-2024-0002")))
    late = write_long_chat(store, other, count=60)  # another inquiry's phone
    client = login("investigator")
    tab = f"/cases/{world.case_id}?tab=exhibits"
    page = client.get(tab).text
    assert "messages in 2 exhibits not yet scanned with the baseline policy" in page
    _scan(client, world.case_id)
    [job] = run_jobs()
    assert job.state == "done", job.error
    page = client.get(tab).text
    assert 'data-testid="unscanned"' in page and "not yet scanned" not in page
    assert "Every message of the case's exhibits has been scanned" in page

    with store.writing() as conn:  # the phone turns out to be evidence here too
        link_case(conn, world.case_id, late.exhibit_id, "investigator")
    with store.engine.connect() as conn:
        waiting = int(conn.scalar(select(func.count()).where(
            t.messages.c.exhibit_id == late.exhibit_id, t.messages.c.kind != "system",
            t.messages.c.text != "")) or 0)
    page = client.get(tab).text
    assert (f"{waiting} messages in 1 exhibit not yet scanned with the baseline policy "
            "(") in page and "run it to scan them" in page
    assert f"({waiting} not yet scanned)" in page
    # a reader who may not scan is told too, without the prompt to run it
    page = login("supervisor").get(tab).text
    assert f"{waiting} messages in 1 exhibit not yet scanned" in page
    assert "run it to scan" not in page
    _scan(client, world.case_id)
    [job] = run_jobs()
    assert job.summary["messages"] == waiting
    assert "not yet scanned" not in client.get(tab).text
