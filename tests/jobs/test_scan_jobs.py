"""The scan job: queued, run by the same runner, progress on its row batch by batch, a summary
by severity, a one-line failure, and a re-run that goes on from where a stopped one ended."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from conductlens import jobs
from conductlens.detect import run as scan_run
from conductlens.errors import ConductLensError
from conductlens.jobs import queue
from conductlens.review.access import Forbidden
from conductlens.review.accounts import User, list_users
from conductlens.review.sample import World, seed_world, write_long_chat
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_review import audit_events

SAMPLE_VERSION = "sample-1"  # the seeded findings' version: never the policy's


@pytest.fixture
def world(store: Store) -> World:
    seeded = seed_world(store)
    write_long_chat(store, seeded.case_id)  # 620 + 3 messages: several batches of 100
    return seeded


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(scan_run, "BATCH", 100)
    return 100


def _user(store: Store, name: str = "investigator") -> User:
    return next(u for u in list_users(store.engine) if u.username == name)


def _found(store: Store) -> list[tuple[Any, ...]]:
    """The policy's findings (not the seeded ones), every column that a scan decides."""
    f = t.findings
    with store.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(
            f.c.message_id, f.c.category, f.c.severity, f.c.score, f.c.detector, f.c.spans,
            f.c.explanation, f.c.policy_version).where(f.c.policy_version != SAMPLE_VERSION)))


def _queue(store: Store, world: World) -> int:
    job_id, queued = jobs.queue_scan(store, _user(store), world.case_id)
    assert queued
    return job_id


def test_a_scan_job_is_queued_then_runs_to_done_with_its_totals(
        store: Store, world: World) -> None:
    job_id = _queue(store, world)
    job = jobs.find_job(store, job_id)
    assert (job.kind, job.state, job.params) == ("scan", "queued", {"case": world.sample.reference})
    assert _found(store) == []  # queued: nothing scanned yet
    job = jobs.run_job(store, job_id)
    assert job.state == "done" and job.error is None, job.error
    found = _found(store)
    assert job.summary["findings"] == len(found) > 0
    # totals only: a breakdown over the whole case would count findings outside the scope
    # (the job page breaks them down inside it, tests/web/test_jobs_review.py)
    assert set(job.summary) == {"policy", "messages", "findings"}
    assert job.progress_done == job.progress_total == job.summary["messages"] > 600
    with store.engine.connect() as conn:  # audited as the investigator, as the button was
        detail = conn.scalar(select(audit_events.c.detail).where(
            audit_events.c.action == "policy.run", audit_events.c.username == "investigator"))
    assert json.loads(str(detail))["findings"] == len(found)
    again = jobs.run_job(store, job_id)  # done: running it again does nothing
    assert again == job and _found(store) == found


def test_progress_is_written_to_the_row_after_each_batch(
        store: Store, world: World, small_batches: int, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int | None]] = []
    original = queue.set_progress

    def recording(s: Store, job_id: int, done: int, total: int | None) -> None:
        original(s, job_id, done, total)
        row = jobs.find_job(s, job_id)  # as another process (a page, `jobs list`) reads it
        seen.append((row.progress_done, row.progress_total))

    monkeypatch.setattr(queue, "set_progress", recording)
    job = jobs.run_job(store, _queue(store, world))
    assert job.state == "done", job.error
    total = job.summary["messages"]
    assert len(seen) == -(-total // small_batches) >= 6
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})  # always forward
    assert all(t == total for _, t in seen) and seen[-1][0] == total
    assert seen[0][0] == small_batches


def test_a_scan_stopped_mid_way_goes_on_from_there_to_the_same_findings(
        store: Store, world: World, small_batches: int, monkeypatch: pytest.MonkeyPatch) -> None:
    original, calls = queue.set_progress, []

    def dies_after_three(s: Store, job_id: int, done: int, total: int | None) -> None:
        calls.append(done)
        if len(calls) == 3:  # the third batch is committed; the process "dies" here
            raise RuntimeError("killed")
        original(s, job_id, done, total)

    monkeypatch.setattr(queue, "set_progress", dies_after_three)
    job_id = _queue(store, world)
    stopped = jobs.run_job(store, job_id)
    assert stopped.state == "failed"
    assert stopped.error == (f"scan of {world.sample.reference}: failed unexpectedly "
                             "(RuntimeError); ask the custodian to retry it")
    partial = _found(store)
    assert partial and stopped.progress_done == 3 * small_batches

    monkeypatch.setattr(queue, "set_progress", original)
    resumed = jobs.run_job(store, job_id, retry=True)
    assert resumed.state == "done" and resumed.attempts == 2
    assert resumed.progress_total == resumed.summary["messages"]  # only what was left
    interrupted = _found(store)
    assert set(partial) <= set(interrupted)
    assert len({(r[0], r[1]) for r in interrupted}) == len(interrupted)  # no duplicate

    # The same store scanned again from nothing, in one uninterrupted run: the same findings.
    with store.writing() as conn:
        conn.execute(delete(t.findings).where(t.findings.c.policy_version != SAMPLE_VERSION))
        conn.execute(delete(t.scan_scopes))
        conn.execute(delete(t.scan_runs))
    whole = jobs.run_job(store, _queue(store, world))
    assert whole.state == "done", whole.error
    assert _found(store) == interrupted
    assert whole.summary["messages"] == 3 * small_batches + resumed.summary["messages"]
    assert whole.summary["findings"] == len(interrupted)


def test_a_failed_scan_says_why_in_one_line_without_paths_or_quotes(
        store: Store, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def bad_policy(path: Any = None) -> Any:
        raise ConductLensError(f"policy {store.exhibit_dir}/force.yaml: category "
                               "'the secret words' is not known\nsee the manual")

    monkeypatch.setattr(scan_run, "load_policy", bad_policy)
    job = jobs.run_job(store, _queue(store, world))
    assert job.state == "failed" and job.error and job.finished_at
    assert "\n" not in job.error and job.error.startswith(f"scan of {world.sample.reference}")
    assert "secret" not in job.error and str(store.exhibit_dir) not in job.error
    assert "is not known" in job.error
    assert _found(store) == []


def test_one_scan_per_case_at_a_time_and_only_for_those_who_may(
        store: Store, world: World) -> None:
    first = _queue(store, world)
    assert jobs.queue_scan(store, _user(store), world.case_id) == (first, False)
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(queue.jobs)) == 1
    for role in ("supervisor", "auditor"):
        with pytest.raises(Forbidden):
            jobs.queue_scan(store, _user(store, role), world.case_id)
    assert jobs.run_job(store, first).state == "done"
    second, queued = jobs.queue_scan(store, _user(store), world.case_id)
    assert queued and second != first
    assert jobs.run_job(store, second).summary["messages"] == 0  # nothing new to scan


def test_jobs_run_watch_is_a_worker_process_that_runs_scans_as_they_come(
        store: Store, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from conductlens.cli import app
    from conductlens.cli import jobs as jobs_cli

    job_id = _queue(store, world)
    naps: list[float] = []

    def nap(seconds: float) -> None:  # the second idle poll is the custodian's Ctrl-C
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(jobs_cli, "time", SimpleNamespace(sleep=nap))
    ran = CliRunner().invoke(app, ["jobs", "run", "--watch", "--db",
                                   store.url],
                             env={"CONDUCTLENS_EXHIBIT_DIR": str(store.exhibit_dir)})
    assert ran.exit_code == 0, ran.output
    assert f"job {job_id} (scan): done" in ran.stdout and "Stopped." in ran.stdout
    assert jobs.find_job(store, job_id).summary["findings"] == len(_found(store)) > 0
    listed = CliRunner().invoke(app, ["jobs", "list", "--db",
                                      store.url],
                                env={"CONDUCTLENS_EXHIBIT_DIR": str(store.exhibit_dir)})
    assert f"{len(_found(store))} findings" in listed.stdout
