"""Attacks on the job pages, the scan's summary, the bundle download and the Exhibits tab.

A scan reads the whole case, but someone limited by the scope sees totals only outside it:
the job's findings by severity and by category are those inside the authorised scope,
worked out through the door when the page is shown (never stored in the job). A job is its
requester's, while their role may still ask for it and they may open its case; anyone else
gets exactly the answer for a job that does not exist. A bundle's download is audited
before its bytes leave.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from conductlens.jobs.base import job_folder
from conductlens.jobs.runner import PROGRESS_FILE
from conductlens.review import account_admin, accounts, cases
from conductlens.review.door import CaseDoor
from conductlens.review.roles import Role
from conductlens.review.sample import PASSWORD, World, write_sample
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_jobs import jobs as jobs_table
from conductlens.store.tables_review import audit_events, case_team

MISSING = 99_999


def _user(store: Store, username: str) -> accounts.User:
    from conductlens.store.tables_review import users

    with store.engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).one()
    return accounts.User(int(row.id), row.username, row.display_name, Role(row.role))


def _scan(login: Any, case_id: int, run_jobs: Any) -> tuple[Any, str, Any]:
    client = login("investigator")
    job_url = client.post(f"/cases/{case_id}/scan",
                          data={"csrf": client.csrf}).headers["location"]
    [job] = run_jobs()
    assert job.state == "done", job.error
    return client, job_url, job


def _in_scope(store: Store, case_id: int, version: str) -> tuple[Counter[str], Counter[str]]:
    """What the investigator's queue holds of ``version``: by severity, by category."""
    shown = CaseDoor(store.engine, _user(store, "investigator"), case_id).queue(limit=10_000)
    with store.engine.connect() as conn:
        ours = set(conn.scalars(select(t.findings.c.id).where(
            t.findings.c.id.in_([f.id for f in shown]),
            t.findings.c.policy_version == version)))
    kept = [f for f in shown if f.id in ours]
    return Counter(f.severity for f in kept), Counter(f.category for f in kept)


def _whole_case(store: Store, version: str) -> Counter[str]:
    with store.engine.connect() as conn:
        return Counter(conn.scalars(select(t.findings.c.category).where(
            t.findings.c.policy_version == version)))


def test_a_scan_counts_findings_by_category_only_inside_the_authorised_scope(
        login: Any, scoped: World, store: Store, run_jobs: Any) -> None:
    client, job_url, job = _scan(login, scoped.case_id, run_jobs)
    version = job.summary["policy"]
    whole = _whole_case(store, version)
    severities, categories = _in_scope(store, scoped.case_id, version)
    outside_only = set(whole) - set(categories)
    assert outside_only, "the sample must have a category found only outside the scope"
    assert "by_category" not in job.summary and "by_severity" not in job.summary  # not stored

    api = client.get(f"/api{job_url}").json()["summary"]
    assert api["findings"] == sum(whole.values())  # what the scan did: a plain total
    assert api["by_category"] == dict(categories)
    assert api["by_severity"] == {s: severities.get(s, 0) for s in ("high", "medium", "low")}
    assert api["findings_in_scope"] == sum(categories.values())
    assert not outside_only & set(api["by_category"])

    page = client.get(job_url).text
    assert f"{job.summary['messages']} messages scanned, {api['findings']} findings recorded" \
        in page
    for category in outside_only:
        assert category not in page
    sev = api["by_severity"]
    assert (f"The case holds {api['findings_in_scope']} findings of this policy version inside "
            f"the authorised scope (high {sev['high']}, medium {sev['medium']}, low "
            f"{sev['low']})") in page


def test_a_job_stored_before_the_fix_shows_no_whole_case_breakdown(
        login: Any, scoped: World, store: Store, run_jobs: Any) -> None:
    import json

    client, job_url, job = _scan(login, scoped.case_id, run_jobs)
    version = job.summary["policy"]
    whole = _whole_case(store, version)
    with store.engine.begin() as conn:  # a row written by the old scan job
        conn.execute(update(jobs_table).where(jobs_table.c.id == job.id).values(
            summary=json.dumps(job.summary | {"by_category": dict(whole),
                                              "by_severity": {"high": 999}})))
    _, categories = _in_scope(store, scoped.case_id, version)
    api = client.get(f"/api{job_url}").json()["summary"]
    assert api["by_category"] == dict(categories) and api["by_severity"]["high"] != 999


def test_before_a_scope_is_authorised_a_scan_shows_totals_only(
        login: Any, world: World, store: Store, run_jobs: Any) -> None:
    client, job_url, job = _scan(login, world.case_id, run_jobs)
    api = client.get(f"/api{job_url}").json()["summary"]
    assert api["findings"] == job.summary["findings"] > 0
    assert api["by_category"] == {} and api["findings_in_scope"] == 0
    assert api["by_severity"] == {"high": 0, "medium": 0, "low": 0}
    page = client.get(job_url).text
    assert "No scope is authorised yet" in page and "high 0" not in page


@pytest.fixture
def outsiders(store: Store, world: World) -> World:
    for name, role in (("inv2", Role.INVESTIGATOR), ("sup2", Role.SUPERVISOR)):
        accounts.add_user(store.engine, name, PASSWORD, role, f"{name} Outsider")
    write_sample(store, "PSD-OTHER", owner="inv2")
    with store.engine.begin() as conn:
        cases.open_case(conn, "PSD-OTHER", "Another allegation", "inv2")
    return world


def _paths(job_url: str) -> tuple[str, ...]:
    return (job_url, f"/api{job_url}", f"{job_url}/bundle.zip")


def _missing(client: Any, path: str, job_url: str) -> Any:
    return client.get(path.replace(job_url, f"/jobs/{MISSING}"))


def test_nobody_but_the_requester_on_the_team_sees_a_job(
        login: Any, scoped: World, outsiders: World, store: Store, run_jobs: Any) -> None:
    _, job_url, _job = _scan(login, scoped.case_id, run_jobs)
    # on the team but not the requester, off the team, and every role off teams
    for username in ("supervisor", "inv2", "sup2", "auditor", "analyst", "admin"):
        client = login(username)
        for path in _paths(job_url):
            got, missing = client.get(path), _missing(client, path, job_url)
            assert got.status_code == missing.status_code in (403, 404), (username, path)
            assert got.text == missing.text, (username, path)


def test_a_requester_taken_off_the_team_or_given_another_role_loses_the_job(
        login: Any, scoped: World, store: Store, run_jobs: Any) -> None:
    client = login("investigator")
    response = client.post(f"/cases/{scoped.case_id}/bundle",
                           data={"recipient": "Panel", "csrf": client.csrf})
    job_url = response.headers["location"]
    [job] = run_jobs()
    assert job.state == "done", job.error
    assert client.get(f"{job_url}/bundle.zip").status_code == 200
    with store.engine.begin() as conn:  # taken off the team: as a job that does not exist
        conn.execute(delete(case_team).where(case_team.c.username == "investigator"))
    for path in _paths(job_url):
        got, missing = client.get(path), _missing(client, path, job_url)
        assert got.status_code == missing.status_code == 404, path
        assert got.text == missing.text
    # now an auditor: never on a team, may open every case, but reads no content
    account_admin.set_role(store.engine, "investigator", Role.AUDITOR, "admin",
                           "moved to the audit team")
    auditor = login("investigator")
    for path in _paths(job_url):
        got, missing = auditor.get(path), _missing(auditor, path, job_url)
        assert got.status_code == missing.status_code == 404, path
        assert got.text == missing.text and "PK" not in got.text[:2]
    assert f'href="{job_url}"' not in auditor.get(f"/cases/{scoped.case_id}").text


def _downloads(store: Store) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(audit_events).where(
            audit_events.c.action == "disclosure.bundle.download")))


def test_a_bundle_download_is_audited_before_its_bytes_leave(
        login: Any, scoped: World, store: Store, run_jobs: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from conductlens.jobs import bundle

    client = login("investigator")
    job_url = client.post(f"/cases/{scoped.case_id}/bundle",
                          data={"recipient": "Panel", "csrf": client.csrf}
                          ).headers["location"]
    [job] = run_jobs()
    assert client.get(f"{job_url}/bundle.zip").status_code == 200
    [event] = _downloads(store)
    assert event.username == "investigator" and event.case_id == scoped.case_id
    detail = json.loads(event.detail)
    assert detail["bundle"] == job.result_ref and detail["recipient"] == "Panel"
    assert event.justification  # the scope in force

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("disk gone")
    monkeypatch.setattr(bundle.zipfile, "ZipFile", broken)
    with pytest.raises(OSError):
        client.get(f"{job_url}/bundle.zip")
    assert len(_downloads(store)) == 2  # recorded first, even though nothing left


def test_the_exhibits_tab_and_ingest_progress_tell_outsiders_nothing(
        login: Any, world: World, outsiders: World, store: Store) -> None:
    from conductlens.jobs import Upload, queue_ingest

    job_id = queue_ingest(store, _user(store, "investigator"), world.case_id,
                          Upload("ab" * 32, "WhatsApp Chat with Night Shift.txt", 10))
    with store.engine.begin() as conn:  # a worker in another process is reading it
        conn.execute(update(jobs_table).values(state="running", worker="elsewhere:1"))
    folder = job_folder(store, job_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROGRESS_FILE).write_text("4321")
    tab = f"/cases/{world.case_id}?tab=exhibits"
    mine = login("investigator").get(tab).text
    assert "not yet scanned" in mine and "4321 records read so far" in mine
    # the team's supervisor sees the tab, not another member's job
    theirs = login("supervisor").get(tab).text
    assert "not yet scanned" in theirs
    assert "4321" not in theirs and f"/jobs/{job_id}" not in theirs
    for username in ("inv2", "sup2", "analyst", "admin"):
        client = login(username)
        got, missing = client.get(tab), client.get(f"/cases/{MISSING}?tab=exhibits")
        assert got.status_code == missing.status_code in (403, 404), username
        assert got.text == missing.text, username
        assert "not yet scanned" not in got.text and "4321" not in got.text
    # the auditor sees case metadata (the tab), never someone's job or its progress
    audit_tab = login("auditor").get(tab).text
    assert "4321" not in audit_tab and f"/jobs/{job_id}" not in audit_tab
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(jobs_table)) == 1


def test_a_job_names_its_file_as_the_case_page_does(
        login: Any, world: World, store: Store, run_jobs: Any) -> None:
    from conductlens.jobs import Upload, queue_ingest

    name = "WhatsApp Chat with Dana Fox.txt"  # a bystander's name in the file's name
    queue_ingest(store, _user(store, "investigator"), world.case_id,
                 Upload("cd" * 32, name, 10))
    [job] = run_jobs()  # the bytes were never held: it fails, naming the file
    assert job.state == "failed" and name in str(job.error)
    client = login("investigator")
    for path in (f"/jobs/{job.id}", f"/api/jobs/{job.id}", f"/cases/{world.case_id}"):
        text = client.get(path).text
        assert "WhatsApp Chat with Participant" in text, path
        assert "Dana" not in text and "Fox" not in text, path


def _bundle(login: Any, case_id: int, run_jobs: Any) -> tuple[Any, str, Any]:
    client = login("investigator")
    job_url = client.post(f"/cases/{case_id}/bundle",
                          data={"recipient": "Panel", "csrf": client.csrf}).headers["location"]
    [job] = run_jobs()
    assert job.state == "done", job.error
    return client, job_url, job


def _events(store: Store, action: str) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(audit_events).where(audit_events.c.action == action)))


def test_a_bundle_made_under_a_replaced_scope_cannot_be_downloaded(
        login: Any, scoped: World, store: Store, run_jobs: Any, narrow_scope: Any) -> None:
    import json

    from conductlens.store.tables_review import scopes

    client, job_url, job = _bundle(login, scoped.case_id, run_jobs)
    with store.engine.connect() as conn:
        made_under = conn.scalar(select(scopes.c.id).where(scopes.c.status == "authorised"))
    assert job.summary["scope_id"] == made_under
    assert client.get(f"/api{job_url}").json()["summary"]["download_refused"] is None
    assert f'href="{job_url}/bundle.zip"' in client.get(job_url).text
    assert client.get(f"{job_url}/bundle.zip").status_code == 200

    newer = narrow_scope()
    line = (f"This bundle was made under scope {made_under}, which is no longer in force; "
            f"make a new bundle under the scope now authorised (scope {newer}).")
    got = client.get(f"{job_url}/bundle.zip")
    assert got.status_code == 400 and not got.content.startswith(b"PK")
    assert line in got.text
    [refused] = _events(store, "disclosure.bundle.refused")
    assert refused.username == "investigator" and refused.case_id == scoped.case_id
    detail = json.loads(refused.detail)
    assert detail["bundle"] == job.result_ref and detail["made_under_scope"] == made_under
    assert detail["scope_in_force"] == newer and detail["why"] == line
    assert len(_events(store, "disclosure.bundle.download")) == 1  # the one before

    page = client.get(job_url).text  # no button, and why
    assert f"{job_url}/bundle.zip" not in page
    assert 'data-testid="bundle-refused"' in page and line in page
    summary = client.get(f"/api{job_url}").json()["summary"]
    assert summary["download_refused"] == line and summary["scope_id"] == made_under

    with store.engine.begin() as conn:  # no scope in force at all (as after a withdrawal)
        conn.execute(update(scopes).values(status="superseded"))
    got = client.get(f"{job_url}/bundle.zip")
    assert got.status_code == 400 and "no scope is authorised now" in got.text
    assert len(_events(store, "disclosure.bundle.refused")) == 2


def test_a_bundle_from_before_bundles_recorded_their_scope_is_not_downloaded(
        login: Any, scoped: World, store: Store, run_jobs: Any) -> None:
    import json

    client, job_url, job = _bundle(login, scoped.case_id, run_jobs)
    old = {k: v for k, v in job.summary.items() if k != "scope_id"}
    with store.engine.begin() as conn:
        conn.execute(update(jobs_table).where(jobs_table.c.id == job.id).values(
            summary=json.dumps(old)))
    got = client.get(f"{job_url}/bundle.zip")
    assert got.status_code == 400 and "does not record the scope" in got.text
    assert f"{job_url}/bundle.zip" not in client.get(job_url).text
    assert not _events(store, "disclosure.bundle.download")


def test_a_bundle_whose_scope_changed_while_it_was_made_fails(
        login: Any, scoped: World, store: Store, run_jobs: Any, narrow_scope: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from conductlens.report import bundle as report_bundle

    gather = report_bundle.gather

    def changed_midway(*args: Any, **kwargs: Any) -> Any:
        narrow_scope()  # authorised after the bundle began, before its reads ended
        return gather(*args, **kwargs)
    monkeypatch.setattr(report_bundle, "gather", changed_midway)
    client = login("investigator")
    client.post(f"/cases/{scoped.case_id}/bundle",
                data={"recipient": "Panel", "csrf": client.csrf})
    [job] = run_jobs()
    assert job.state == "failed" and "scope changed while the bundle was being made" in str(
        job.error)
    assert client.get(f"/jobs/{job.id}/bundle.zip").status_code == 400
