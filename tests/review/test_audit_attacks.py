"""The audit log under attack: races, trimming with the head moved, wiping, dropped tables,
forged checkpoints, spreadsheet formulas (issue 9, item 5)."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import typer
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from conductlens.cli import audit as audit_cli
from conductlens.errors import ConductLensError
from conductlens.review import audit, checkpoints
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import audit_events, audit_head


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default key location, inside this test's folder (never the real home)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CONDUCTLENS_AUDIT_KEY", raising=False)


def _app() -> typer.Typer:
    app = typer.Typer()
    audit_cli.register(app)
    return app


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), ["audit", *args])
    return result.exit_code, result.output


def _fill(store: Store, n: int) -> None:
    for i in range(n):
        audit.record(store.engine, audit.AuditEvent("tester", "test", None, {"x": [i]}))


def _key(tmp_path: Path) -> Path:
    return tmp_path / "auditor" / "signing.pem"


def _trim_moving_head(store: Store, keep: int) -> None:
    """The attack: delete the last records and point the head at the new last one."""
    with store.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.id > keep))
        last = conn.scalar(select(audit_events.c.hash).where(audit_events.c.id == keep))
        conn.execute(update(audit_head).values(last_id=keep, last_hash=last))


def test_concurrent_appends_from_threads_all_land_in_one_chain(store: Store) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(15):
                with store.engine.begin() as conn:  # the caller's own transaction
                    audit.append(conn, audit.AuditEvent(f"t{n}", "page.view", None, {"i": [i]}))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.engine.connect() as conn:
        result = audit.verify_chain(conn)
    assert result.ok and result.records == 90


CHILD = """
import sys
from conductlens.review import audit
from conductlens.store import Store
store = Store.open(sys.argv[1])
for i in range(20):
    with store.engine.begin() as conn:
        audit.append(conn, audit.AuditEvent("proc" + sys.argv[2], "page.view", None, {"i": [i]}))
"""


def test_concurrent_appends_from_processes_are_serialised(store: Store) -> None:
    db = str(store.engine.url.database)
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, db, str(n)],
                              stderr=subprocess.PIPE, text=True) for n in range(3)]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    with store.engine.connect() as conn:
        result = audit.verify_chain(conn)
    assert result.ok and result.records == 60


def test_trim_with_the_head_moved_fails_against_a_checkpoint(store: Store,
                                                            tmp_path: Path) -> None:
    _fill(store, 10)
    key = checkpoints.load_key(_key(tmp_path), create=True)
    with store.engine.connect() as conn:
        saved = checkpoints.make(conn, key)
    _trim_moving_head(store, 7)
    with store.engine.connect() as conn:
        assert audit.verify_chain(conn).ok  # the chain alone cannot tell (documented)
        result = checkpoints.check(conn, saved, key.public_key())
    assert not result.ok and "records lost" in result.reason and result.first_bad_id == 8


def test_the_cli_checkpoint_then_trim_then_verify(store: Store, tmp_path: Path) -> None:
    _fill(store, 6)
    db, key, cp = str(store.engine.url.database), str(_key(tmp_path)), str(tmp_path / "cp.json")
    code, out = _cli("checkpoint", "--db", db, "--key", key, "--output", cp)
    assert code == 0, out
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    code, out = _cli("verify", "--db", db, "--key", key, "--checkpoint", cp)
    assert code == 0 and "all 7 records" in out, out  # 6 plus the checkpoint's own record
    _fill(store, 2)  # the log may grow after a checkpoint
    assert _cli("verify", "--db", db, "--key", key, "--checkpoint", cp)[0] == 0
    # The auditor verifies with the public key written beside the checkpoint, not the secret.
    public = cp + ".pub.pem"
    assert "PRIVATE" not in Path(public).read_text()
    code, out = _cli("verify", "--db", db, "--key", public, "--checkpoint", cp)
    assert code == 0 and "all 7 records" in out, out
    _trim_moving_head(store, 5)
    code, out = _cli("verify", "--db", db, "--key", key, "--checkpoint", cp)
    assert code == 1 and "records lost" in out and "Traceback" not in out
    code, out = _cli("verify", "--db", db, "--key", public, "--checkpoint", cp)
    assert code == 1 and "records lost" in out


def test_a_wiped_log_in_a_store_with_evidence_fails(store: Store, world: World) -> None:
    with store.engine.begin() as conn:
        conn.execute(delete(audit_events))
        conn.execute(delete(audit_head))
    code, out = _cli("verify", "--db", str(store.engine.url.database))
    assert code == 1 and "no audit records (wiped)" in out


def test_a_wiped_and_restarted_log_fails_against_a_checkpoint(store: Store, world: World,
                                                              tmp_path: Path) -> None:
    key = checkpoints.load_key(_key(tmp_path), create=True)
    with store.engine.connect() as conn:
        saved = checkpoints.make(conn, key)
    with store.engine.begin() as conn:
        conn.execute(delete(audit_events))
        conn.execute(delete(audit_head))
    _fill(store, saved.last_id + 3)  # a fresh, valid chain, longer than the old one
    with store.engine.connect() as conn:
        result = checkpoints.check(conn, saved, key.public_key())
    assert not result.ok and "rewritten" in result.reason


@pytest.mark.parametrize("table", ["audit_events", "audit_head"])
def test_a_dropped_table_is_a_one_line_error(store: Store, table: str) -> None:
    _fill(store, 2)
    db = str(store.engine.url.database)
    with sqlite3.connect(db) as conn:
        conn.execute(f"DROP TABLE {table}")
    for args in (["verify"], ["export"], ["checkpoint", "--output", db + ".cp"]):
        code, out = _cli(*args, "--db", db)
        assert code == 1 and f"no {table} table" in out and "Traceback" not in out
        assert len(out.strip().splitlines()) == 1


def test_a_missing_store_is_a_one_line_error_and_is_not_created(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    for args in (["verify"], ["export"], ["checkpoint", "--output", str(tmp_path / "c")]):
        code, out = _cli(*args, "--db", str(typo))
        assert code == 1 and "no store at" in out and len(out.strip().splitlines()) == 1
    assert not typo.exists()


def test_a_forged_or_foreign_checkpoint_is_refused(store: Store, tmp_path: Path) -> None:
    _fill(store, 4)
    key = checkpoints.load_key(_key(tmp_path), create=True)
    with store.engine.connect() as conn:
        saved = checkpoints.make(conn, key)
    path = tmp_path / "cp.json"
    checkpoints.write(path, saved)
    forged = path.read_text().replace('"last_id": 4', '"last_id": 2')
    path.write_text(forged)
    with store.engine.connect() as conn:
        result = checkpoints.check(conn, checkpoints.read(path), key.public_key())
        assert not result.ok and "signature" in result.reason
        other = checkpoints.load_key(tmp_path / "other" / "k.pem", create=True)
        result = checkpoints.check(conn, saved, other.public_key())
        assert not result.ok and "another key" in result.reason


def test_the_key_is_never_kept_with_the_store(store: Store, tmp_path: Path) -> None:
    _fill(store, 1)
    db = str(store.engine.url.database)
    inside = str(Path(db).parent / "key.pem")
    code, out = _cli("checkpoint", "--db", db, "--key", inside, "--output", str(tmp_path / "c"))
    assert code == 1 and "apart from the store" in out and not Path(inside).exists()
    exhibits = str(store.exhibit_dir / "k.pem")
    with pytest.raises(ConductLensError, match="apart from the store"):
        checkpoints.refuse_key_inside(Path(exhibits), [store.exhibit_dir], [])


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = _key(tmp_path)
    checkpoints.load_key(path, create=True)
    path.chmod(0o644)
    with pytest.raises(ConductLensError, match="readable by others"):
        checkpoints.load_key(path, create=False)


def test_the_cli_csv_export_guards_formulas(store: Store) -> None:
    for name in ("=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        audit.record(store.engine, audit.AuditEvent(name, "login.failed"))
    code, out = _cli("export", "--db", str(store.engine.url.database))
    assert code == 0
    names = [row["username"] for row in csv.DictReader(io.StringIO(out))]
    assert names and all(n.startswith("'") for n in names), names
