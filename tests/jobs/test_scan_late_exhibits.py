"""Evidence added to a case after its scan is still scanned: an exhibit linked in later (its
message ids lower than where the case's scan got to), one ingested later, one linked while a
scan was stopped half-way. Every in-scope message is scanned exactly once, across cases too,
and no finding is ever stored twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from conductlens import jobs
from conductlens.detect import marks
from conductlens.detect import run as scan_run
from conductlens.detect.policy import load_policy
from conductlens.ingest.pipeline import ingest_path
from conductlens.jobs import queue
from conductlens.review import cases
from conductlens.review.accounts import User, list_users
from conductlens.review.sample import World, seed_world, write_long_chat, write_sample
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.groups import link_case

OTHER = "PSD-2024-0002"
CHAT = Path(__file__).resolve().parents[1] / "data" / "whatsapp" / "ios_en_us_group.txt"


@pytest.fixture
def scanned(store: Store, monkeypatch: pytest.MonkeyPatch) -> Counter[int]:
    """Every message id the policy is given, however many times."""
    seen: Counter[int] = Counter()
    real = scan_run.scan_batch

    def counting(policy: Any, batch: Any) -> Any:
        seen.update(int(mid) for mid, _ in batch)
        return real(policy, batch)

    monkeypatch.setattr(scan_run, "scan_batch", counting)
    monkeypatch.setattr(scan_run, "BATCH", 100)
    return seen


def _user(store: Store) -> User:
    return next(u for u in list_users(store.engine) if u.username == "investigator")


def _scan(store: Store, case_id: int) -> Any:
    """The scan as the case page's button (and the worker) runs it."""
    job_id, queued = jobs.queue_scan(store, _user(store), case_id)
    assert queued
    job = jobs.run_job(store, job_id)
    assert job.state == "done", job.error
    return job


def _case_id(store: Store, reference: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == reference)))


def _scannable(store: Store, exhibit_id: int) -> set[int]:
    m = t.messages.c
    with store.engine.connect() as conn:
        return set(conn.scalars(select(m.id).where(m.exhibit_id == exhibit_id,
                                                   m.kind != "system", m.text != "")))


def _policy_findings(store: Store) -> list[tuple[int, str]]:
    f = t.findings.c
    with store.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(f.message_id, f.category).where(
            f.policy_version == load_policy().version)).all())


def _waiting(store: Store, case_id: int) -> dict[int, int]:
    with store.engine.connect() as conn:
        return marks.unscanned(conn, load_policy().version, case_id)


def test_an_exhibit_linked_in_after_the_scan_is_scanned_once_and_nothing_else_again(
        store: Store, scanned: Counter[int]) -> None:
    world = seed_world(store)
    write_sample(store, OTHER)  # an exhibit of another case: lower ids than the one below
    other_id = _case_id(store, OTHER)
    early = write_long_chat(store, other_id, count=250)
    late = write_long_chat(store, world.case_id)
    first = _scan(store, world.case_id)
    case_scope = _scannable(store, world.sample.exhibit_id) | _scannable(store, late.exhibit_id)
    assert set(scanned) == case_scope and first.summary["messages"] == len(case_scope)
    before = _policy_findings(store)
    assert _waiting(store, world.case_id) == {}

    with store.writing() as conn:  # the same phone turns out to be evidence here too
        assert link_case(conn, world.case_id, early.exhibit_id, "investigator")
    assert max(_scannable(store, early.exhibit_id)) < max(case_scope)  # ids below the mark
    new = _scannable(store, early.exhibit_id)
    assert _waiting(store, world.case_id) == {early.exhibit_id: len(new)}

    again = _scan(store, world.case_id)
    assert again.summary["messages"] == again.progress_total == len(new)
    assert set(scanned) == case_scope | new and set(scanned.values()) == {1}
    after = _policy_findings(store)
    assert set(before) <= set(after) and len(set(after)) == len(after)  # none twice
    assert {mid for mid, _ in after} - {mid for mid, _ in before} <= new
    assert _waiting(store, world.case_id) == {}
    assert _scan(store, world.case_id).summary["messages"] == 0
    # The other case's scan does not scan its exhibit again: the first case did.
    with store.writing() as conn:
        cases.open_case(conn, OTHER, "Another inquiry using the same phone", "investigator")
    other = _scan(store, other_id)
    assert set(scanned.values()) == {1}
    assert other.summary["messages"] == len(_scannable(store, _sample_of(store, other_id)))
    final = _policy_findings(store)
    assert len(set(final)) == len(final)


def _sample_of(store: Store, case_id: int) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(t.exhibits.c.id).where(
            t.exhibits.c.case_id == case_id, t.exhibits.c.original_name == "sample.txt")))


def test_the_same_file_ingested_for_a_second_case_after_its_scan_is_scanned(
        store: Store, scanned: Counter[int]) -> None:
    world = seed_world(store)
    held = ingest_path(store, CHAT, case=OTHER)  # first ingested for another inquiry
    write_long_chat(store, world.case_id)
    _scan(store, world.case_id)
    done = set(scanned)
    attached = ingest_path(store, CHAT, case=world.sample.reference)
    assert attached.reference == held.reference and not attached.duplicate
    with store.engine.connect() as conn:
        exhibit_id = int(conn.scalar(select(t.exhibits.c.id).where(
            t.exhibits.c.reference == held.reference)))
    new = _scannable(store, exhibit_id)
    assert new and not new & done
    assert _scan(store, world.case_id).summary["messages"] == len(new)
    assert set(scanned) == done | new and set(scanned.values()) == {1}


def test_an_exhibit_linked_while_a_scan_was_stopped_is_scanned_by_its_retry(
        store: Store, scanned: Counter[int], monkeypatch: pytest.MonkeyPatch) -> None:
    world: World = seed_world(store)
    write_sample(store, OTHER)
    early = write_long_chat(store, _case_id(store, OTHER), count=150)
    late = write_long_chat(store, world.case_id)
    original, calls = queue.set_progress, []

    def dies_after_two(s: Store, job_id: int, done: int, total: int | None) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise RuntimeError("killed")
        original(s, job_id, done, total)

    monkeypatch.setattr(queue, "set_progress", dies_after_two)
    job_id, _ = jobs.queue_scan(store, _user(store), world.case_id)
    assert jobs.run_job(store, job_id).state == "failed"
    monkeypatch.setattr(queue, "set_progress", original)
    with store.writing() as conn:
        link_case(conn, world.case_id, early.exhibit_id, "investigator")
    assert jobs.run_job(store, job_id, retry=True).state == "done"
    everything = (_scannable(store, world.sample.exhibit_id)
                  | _scannable(store, late.exhibit_id) | _scannable(store, early.exhibit_id))
    assert set(scanned) == everything and set(scanned.values()) == {1}
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.scan_runs)) == 2


def test_the_upgrade_gives_older_runs_the_exhibits_linked_before_they_started(
        store: Store, scanned: Counter[int]) -> None:
    from alembic import command

    from conductlens.store.migrate import alembic_config

    world = seed_world(store)
    write_sample(store, OTHER)
    early = write_long_chat(store, _case_id(store, OTHER), count=80)
    _scan(store, world.case_id)
    with store.writing() as conn:
        link_case(conn, world.case_id, early.exhibit_id, "investigator")
    cfg = alembic_config()
    with store.engine.begin() as conn:  # back to before scopes, as an older store stands
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0024_video_frames")
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with store.engine.connect() as conn:
        read = set(conn.scalars(select(t.scan_scopes.c.exhibit_id)))
    assert early.exhibit_id not in read and world.sample.exhibit_id in read
    new = _scannable(store, early.exhibit_id)
    assert _waiting(store, world.case_id) == {early.exhibit_id: len(new)}
    done = set(scanned)
    assert _scan(store, world.case_id).summary["messages"] == len(new)
    assert set(scanned) == done | new and set(scanned.values()) == {1}
