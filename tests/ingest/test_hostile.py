"""The hostile corpus: files built to hurt, each ingested by the real command line in a child
process. Each must end with the expected exit code and one line naming the file, within a
generous time and a memory bound, and leave the store as it was (counts, integrity check,
exhibit folder without leftovers)."""

from __future__ import annotations

import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store

DATA = Path(__file__).resolve().parents[1] / "data" / "whatsapp"
TEAM_B = DATA / "WhatsApp Chat with Response Team B.txt"
MEMORY_MIB = 500  # the bound for any hostile input
TIMEOUT_S = 120  # generous: a hang is what this catches, not speed
# The child reports its own high-water mark (VmHWM, this process image only): the rusage of a
# child forked from a large test process starts at the parent's size and keeps it across exec.
RUN = (
    "import atexit, os\n"
    "def _peak():\n"
    "    with open('/proc/self/status') as s, open(os.environ['CL_PEAK_FILE'], 'w') as o:\n"
    "        o.write(next(line for line in s if line.startswith('VmHWM')).split()[1])\n"
    "atexit.register(_peak)\n"
    "from conductlens.cli import main; main()"
)


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    peak_mib: float
    seconds: float


def run_cli(args: list[str], tmp: Path, env: dict[str, str] | None = None,
            fsize: int | None = None) -> Outcome:
    """Run ``conductlens ARGS`` in a child; peak memory is the child's own high-water mark."""
    out, err, peak = tmp / "child.out", tmp / "child.err", tmp / "child.peak"

    def limit() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails: EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    started = time.monotonic()
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen(
            [sys.executable, "-c", RUN, *args], stdout=o, stderr=e,
            env={**os.environ, "COLUMNS": "200", "CL_PEAK_FILE": str(peak), **(env or {})},
            preexec_fn=limit,
        )
        killer = threading.Timer(TIMEOUT_S, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    # A child killed before exit wrote no mark: fall back to rusage (an over-estimate).
    peak_kib = int(peak.read_text()) if peak.exists() else usage.ru_maxrss
    return Outcome(proc.returncode, out.read_text(), err.read_text(),
                   peak_kib / 1024, time.monotonic() - started)


def snapshot(db: Path) -> tuple[object, ...]:
    """What must not change when an ingest is refused."""
    conn = sqlite3.connect(db)
    try:
        counts = tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                       for table in ("exhibits", "messages", "participants", "unparsed",
                                     "exhibit_warnings", "cases"))
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    folder = db.with_name(db.name + ".exhibits")
    objects = sorted(p.name for p in folder.rglob("*") if p.is_file())
    return counts, integrity, tuple(objects)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store that already holds one exhibit."""
    path = tmp_path / "store.db"
    store = Store.open(str(path))
    ingest_path(store, TEAM_B)
    store.close()
    return path


def assert_refused(outcome: Outcome, name: str, fragment: str) -> None:
    message = outcome.stderr.strip()
    assert outcome.code == 1, (outcome.code, message)
    assert "Traceback" not in outcome.stderr
    assert len(message.splitlines()) == 1, message
    assert name in message and fragment in message, message
    assert outcome.peak_mib < MEMORY_MIB, outcome.peak_mib


def assert_clean(db: Path, before: tuple[object, ...]) -> None:
    after = snapshot(db)
    assert after == before
    assert after[1] == "ok"
    folder = db.with_name(db.name + ".exhibits")
    assert not list(folder.rglob("*.partial"))
    assert not list((folder / "staging").glob("*"))


# -- the corpus: each builder writes one hostile exhibit and says what the refusal says ----

Builder = Callable[[Path], tuple[Path, dict[str, str], str]]


def chat_lines(n: int) -> bytes:
    return b"".join(b"01/02/2024, 09:%02d - Alice Smith: message number %d of the shift\n"
                    % (i % 60, i) for i in range(n))


def zip_bomb(tmp: Path) -> tuple[Path, dict[str, str], str]:
    path = tmp / "WhatsApp Chat with Bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("_chat.txt", b"01/02/2024, 09:00 - A: " + b"ha" * (25 * 1024 * 1024))
    return path, {}, "expands"


def big_expansion(tmp: Path) -> tuple[Path, dict[str, str], str]:
    path = tmp / "WhatsApp Chat with Big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("_chat.txt", chat_lines(10))
        zf.writestr("VID-1.mp4", random.Random(1).randbytes(3 * 1024 * 1024))
    return path, {"CONDUCTLENS_MAX_EXPANDED_BYTES": "2000000"}, "MAX_EXPANDED_BYTES"


def big_member(tmp: Path) -> tuple[Path, dict[str, str], str]:
    path = tmp / "WhatsApp Chat with Media.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("_chat.txt", chat_lines(10))
        zf.writestr("VID-1.mp4", random.Random(2).randbytes(2 * 1024 * 1024))
    return path, {"CONDUCTLENS_MAX_MEMBER_BYTES": "1000000"}, "VID-1.mp4 expands to"


def many_entries(tmp: Path) -> tuple[Path, dict[str, str], str]:
    path = tmp / "WhatsApp Chat with Entries.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("_chat.txt", chat_lines(10))
        for i in range(50_001):
            zf.writestr(f"IMG-{i}.jpg", b"")
    return path, {}, "50,002 entries in the archive"


def long_line(tmp: Path) -> tuple[Path, dict[str, str], str]:
    path = tmp / "WhatsApp Chat with Long.txt"
    with path.open("wb") as fh:
        fh.write(chat_lines(3) + b"01/02/2024, 10:00 - Bob: ")
        block = b"x" * (1024 * 1024)
        for _ in range(200):
            fh.write(block)
        fh.write(b"\n")
    return path, {}, "line 4 is longer than allowed"


def fifo(tmp: Path) -> tuple[Path, dict[str, str], str]:
    path = tmp / "WhatsApp Chat with Pipe.txt"
    os.mkfifo(path)
    return path, {}, "named pipe"


def device(tmp: Path) -> tuple[Path, dict[str, str], str]:
    return Path("/dev/null"), {}, "a device"


def fifo_in_folder(tmp: Path) -> tuple[Path, dict[str, str], str]:
    folder = tmp / "export"
    folder.mkdir()
    (folder / "result.json").write_text('{"messages": []}')
    os.mkfifo(folder / "pipe")
    return folder, {}, "named pipe"


def deep_folder(tmp: Path) -> tuple[Path, dict[str, str], str]:
    folder = tmp / "export"
    deep = folder / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    (deep / "result.json").write_text('{"messages": []}')
    return folder, {"CONDUCTLENS_MAX_DEPTH": "3"}, "nested too deeply"


def too_big(tmp: Path) -> tuple[Path, dict[str, str], str]:
    path = tmp / "WhatsApp Chat with Size.txt"
    path.write_bytes(chat_lines(100))
    return path, {"CONDUCTLENS_MAX_EXHIBIT_BYTES": "1000"}, "MAX_EXHIBIT_BYTES"


def recursive_view(tmp: Path) -> tuple[Path, dict[str, str], str]:
    path = tmp / "msgstore.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE jid (_id INTEGER PRIMARY KEY, user TEXT, server TEXT);"
        "CREATE TABLE chat (_id INTEGER PRIMARY KEY, jid_row_id INTEGER);"
        "CREATE VIEW message AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
        " SELECT n AS _id, 1 AS chat_row_id, 0 AS from_me, 'k' AS key_id, n AS timestamp,"
        " 0 AS message_type FROM r;"
    )
    conn.close()
    return path, {}, "is a view"


CORPUS: dict[str, Builder] = {
    "zip-bomb": zip_bomb, "big-expansion": big_expansion, "big-member": big_member,
    "many-entries": many_entries, "200MB-line": long_line, "fifo": fifo, "device": device,
    "fifo-in-folder": fifo_in_folder, "deep-folder": deep_folder, "too-big": too_big,
    "recursive-view": recursive_view,
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_hostile_exhibit_is_refused_cleanly(tmp_path: Path, db: Path, case: str) -> None:
    path, env, fragment = CORPUS[case](tmp_path)
    before = snapshot(db)
    outcome = run_cli(["ingest", str(path), "--db", str(db)], tmp_path, env)
    assert_refused(outcome, path.name, fragment)
    assert_clean(db, before)


def test_disk_full_leaves_no_partial_object(tmp_path: Path, db: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Full.txt"
    path.write_bytes(chat_lines(40_000))  # about 2.4 MB
    before = snapshot(db)
    outcome = run_cli(["ingest", str(path), "--db", str(db)], tmp_path, fsize=1024 * 1024)
    assert_refused(outcome, path.name, "no space left")
    assert_clean(db, before)


def test_cr_only_export_ingests_every_message(tmp_path: Path, db: Path) -> None:
    path = tmp_path / "WhatsApp Chat with CR.txt"
    path.write_bytes(TEAM_B.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    outcome = run_cli(["ingest", str(path), "--db", str(db), "--json"], tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert '"messages": 15' in outcome.stdout and "lone CR" in outcome.stdout


def test_two_ingests_at_once_both_land(tmp_path: Path, db: Path) -> None:
    paths = []
    for i in (1, 2):
        path = tmp_path / f"WhatsApp Chat with Shift {i}.txt"
        path.write_bytes(chat_lines(20_000 + i))
        paths.append(path)
    results: list[Outcome] = []
    threads = [threading.Thread(target=lambda p=p, i=i: results.append(run_cli(
        ["ingest", str(p), "--db", str(db)], tmp_path / f"run{i}")))
        for i, p in enumerate(paths)]
    for i in range(len(paths)):
        (tmp_path / f"run{i}").mkdir()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.code for r in results] == [0, 0], [r.stderr for r in results]
    counts, integrity, _ = snapshot(db)
    assert counts[0] == 3 and integrity == "ok"  # type: ignore[index]
