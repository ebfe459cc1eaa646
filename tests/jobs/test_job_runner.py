"""The job queue and runner: done, failed in one line, safe to re-run, queued again if killed."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from conductlens import jobs
from conductlens.cli import app
from conductlens.errors import ConductLensError
from conductlens.jobs import registry
from conductlens.jobs.base import JobContext, JobKind, Outcome
from conductlens.jobs.messages import one_line
from conductlens.jobs.queue import add_job, requeue_interrupted
from conductlens.review.accounts import User, list_users
from conductlens.review.sample import World, seed_world
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_jobs import jobs as jobs_table
from conductlens.store.tables_review import audit_events

EXPORT = (b"01/03/2024, 09:00 - +44 7700 900002: Morning all, briefing at 10\n"
          b"06/03/2024, 22:05 - +44 7700 900003: see you there\n"
          b"07/03/2024, 07:15 - +44 7700 900002: on my way\n")
NAME = "WhatsApp Chat with Early Turn.txt"


@pytest.fixture
def world(store: Store) -> World:
    return seed_world(store)


def _user(store: Store, name: str = "investigator") -> User:
    return next(u for u in list_users(store.engine) if u.username == name)


def _queue_upload(store: Store, world: World, data: bytes = EXPORT, name: str = NAME) -> int:
    held = jobs.save_upload(store, io.BytesIO(data), name, 10 * 1024 * 1024)
    return jobs.queue_ingest(store, _user(store), world.case_id, held)


def _counts(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        return tuple(int(conn.scalar(select(func.count()).select_from(table)) or 0)
                     for table in (t.exhibits, t.messages, t.case_exhibits))  # type: ignore[return-value]


def test_an_ingest_job_runs_to_done_with_its_exhibit(store: Store, world: World) -> None:
    before = _counts(store)
    job_id = _queue_upload(store, world)
    assert jobs.find_job(store, job_id).state == "queued"
    assert _counts(store) == before  # queued: nothing ingested yet
    job = jobs.run_job(store, job_id)
    assert job.state == "done" and job.error is None
    assert job.result_ref and job.result_ref.startswith("EXH-")
    assert job.summary["messages"] == 3 and job.progress_done == 3
    assert job.started_at and job.finished_at and job.attempts == 1
    assert _counts(store)[:2] == (before[0] + 1, before[1] + 3)


def test_re_running_a_job_never_duplicates_the_exhibit(store: Store, world: World) -> None:
    import socket

    job_id = _queue_upload(store, world)
    first = jobs.run_job(store, job_id)
    after = _counts(store)
    assert jobs.run_job(store, job_id) == first  # done: a second run does nothing
    # Killed after the ingest committed but before the job was marked done (the upload is
    # still held then): queued again at the next start, it runs again and finds the bytes
    # already held (same SHA-256), so nothing is stored twice.
    jobs.save_upload(store, io.BytesIO(EXPORT), NAME, 10 * 1024 * 1024)
    with store.engine.begin() as conn:
        conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(
            state="running", worker=f"{socket.gethostname()}:999999999"))
    assert requeue_interrupted(store) == [job_id]
    again = jobs.run_job(store, job_id)
    assert again.state == "done" and again.result_ref == first.result_ref
    assert again.summary["duplicate"] is True and again.attempts == 2
    assert _counts(store) == after
    # ... and with the upload already gone, the exhibit in the case is the answer
    with store.engine.begin() as conn:
        conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(state="failed"))
    assert jobs.run_job(store, job_id, retry=True).result_ref == first.result_ref
    assert _counts(store) == after


def test_a_job_left_running_by_a_dead_process_is_queued_again(store: Store, world: World,
                                                              monkeypatch: Any) -> None:
    import socket

    job_id = _queue_upload(store, world)
    with store.engine.begin() as conn:  # as a server killed mid-ingest leaves it
        conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(
            state="running", worker=f"{socket.gethostname()}:999999999"))
    assert requeue_interrupted(store) == [job_id]
    job = jobs.run_job(store, job_id)
    assert job.state == "done" and job.attempts == 1
    assert _counts(store)[0] == 2  # the sample exhibit and this one, once


def test_a_failing_job_records_one_line_without_content_or_paths(store: Store,
                                                                 world: World) -> None:
    job_id = _queue_upload(store, world, b"not a chat: 'the secret words'\n", "notes.txt")
    job = jobs.run_job(store, job_id)
    assert job.state == "failed" and job.error and job.finished_at
    assert "\n" not in job.error and job.error.startswith("notes.txt")
    assert "secret" not in job.error and str(store.exhibit_dir) not in job.error
    # the upload is kept for a retry, which fails the same way and adds nothing
    retried = jobs.run_job(store, job_id, retry=True)
    assert retried.state == "failed" and retried.attempts == 2
    assert _counts(store)[0] == 1


def test_an_unexpected_error_is_named_by_its_class_only(store: Store, world: World,
                                                        monkeypatch: Any) -> None:
    def explode(ctx: JobContext) -> Outcome:
        raise RuntimeError(f"INSERT INTO messages VALUES ('the secret words') at {ctx.folder}")

    def quoting(ctx: JobContext) -> Outcome:
        raise ConductLensError(f"{ctx.folder}/x.txt:3: could not be read as whatsapp-text: "
                               "invalid literal 'the secret words'")

    monkeypatch.setitem(registry.KINDS, "boom", JobKind(
        "boom", "Boom", explode, lambda job: "x.txt", lambda s, job: {}))
    monkeypatch.setitem(registry.KINDS, "quote", JobKind(
        "quote", "Quote", quoting, lambda job: "x.txt", lambda s, job: {}))
    with store.writing() as conn:
        boom = add_job(conn, "boom", _user(store), world.case_id, {})
        quote = add_job(conn, "quote", _user(store), world.case_id, {})
    [first, second] = jobs.run_pending(store)
    assert (first.id, second.id) == (boom, quote)
    assert first.error == "x.txt: failed unexpectedly (RuntimeError); ask the custodian to retry it"
    assert second.error and "secret" not in second.error and "/" not in second.error
    assert second.error.startswith("x.txt") and "could not be read as whatsapp-text" in second.error


def test_one_line_keeps_the_file_name_and_drops_what_it_must() -> None:
    assert one_line("/srv/up/ab/chat.txt:12: no messages found\n(read as x)", "chat.txt",
                    {"/srv/up/ab/chat.txt": "chat.txt"}) == \
        "chat.txt:12: no messages found (read as x)"
    assert one_line("disk full in /var/lib/cl/objects", "a.zip").startswith("a.zip: disk full")
    assert len(one_line("x" * 1000, "a.zip")) == 300


def test_a_job_runs_as_its_requester_and_stops_when_they_may_not(store: Store,
                                                                  world: World) -> None:
    job_id = _queue_upload(store, world)
    with store.engine.begin() as conn:  # the account is disabled before the job runs
        from conductlens.store.tables_review import users

        conn.execute(update(users).where(users.c.username == "investigator").values(active=False))
    job = jobs.run_job(store, job_id)
    assert job.state == "failed" and "investigator" in (job.error or "")
    assert _counts(store)[0] == 1


def test_the_same_bytes_queued_twice_are_held_until_both_jobs_ran(store: Store,
                                                                  world: World) -> None:
    first, second = _queue_upload(store, world), _queue_upload(store, world)
    assert jobs.run_job(store, first).state == "done"
    assert any((store.exhibit_dir / "uploads").rglob(NAME))  # still needed by the second
    assert jobs.run_job(store, second).state == "done"
    assert not any((store.exhibit_dir / "uploads").rglob(NAME))


def test_the_cli_lists_and_runs_queued_jobs(store: Store, world: World, tmp_path: Any) -> None:
    db = store.url
    job_id = _queue_upload(store, world)
    env = {"CONDUCTLENS_EXHIBIT_DIR": str(store.exhibit_dir)}
    listed = CliRunner().invoke(app, ["jobs", "list", "--db", db, "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["jobs"][0]["state"] == "queued"
    ran = CliRunner().invoke(app, ["jobs", "run", "--db", db], env=env)
    assert ran.exit_code == 0, ran.output
    assert f"job {job_id} (ingest): done: EXH-" in ran.stdout
    assert jobs.find_job(store, job_id).state == "done"
    with store.engine.connect() as conn:
        assert conn.scalar(select(audit_events.c.username).where(
            audit_events.c.action == "jobs.run")).startswith("cli:")
    again = CliRunner().invoke(app, ["jobs", "run", "--db", db], env=env)
    assert "No queued jobs." in again.stdout


def test_an_ingest_leaves_its_progress_where_another_process_can_read_it(
        store: Store, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from conductlens.jobs import runner
    from conductlens.jobs.base import job_folder

    lines = b"".join(b"01/03/2024, 09:%02d - +44 7700 900002: line %d of the shift\n"
                     % (n % 60, n) for n in range(25_000))
    job_id = _queue_upload(store, world, lines)
    seen: list[int] = []
    real = runner._progress_writer

    def watched(folder: Any) -> Any:
        write, clear = real(folder)

        def write_and_look(n: int) -> None:
            write(n)
            row = jobs.find_job(store, job_id)  # what another process's page reads
            with runner._LIVE_LOCK:
                mine = runner._LIVE.pop(job_id)
            seen.append(jobs.live_progress(row, store))
            with runner._LIVE_LOCK:
                runner._LIVE[job_id] = mine
        return write_and_look, clear

    monkeypatch.setattr(runner, "PROGRESS_EVERY", 0.0)
    monkeypatch.setattr(runner, "_progress_writer", watched)
    job = jobs.run_job(store, job_id)
    assert job.state == "done", job.error
    assert seen == [10_000, 20_000]
    assert not (job_folder(store, job_id) / runner.PROGRESS_FILE).exists()
    listed = CliRunner().invoke(app, ["jobs", "list", "--db", store.url, "--json"],
                                env={"CONDUCTLENS_EXHIBIT_DIR": str(store.exhibit_dir)})
    assert json.loads(listed.stdout)["jobs"][0]["progress"] == 25_000
