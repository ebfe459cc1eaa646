from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conductlens.review import register
from conductlens.review.accounts import add_user
from conductlens.review.roles import Role
from conductlens.review.sample import World, authorise_sample_scope, seed_world
from conductlens.store import Store

PASSWORD = "browser journey password"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STAFF = (("PC1001", "Alan Grant", "+447700900001"), ("PC1002", "Beth Jones", "+447700900002"),
         ("PC1003", "Carl Diaz", "+447700900003"))
EXPORT = """01/03/2024, 09:00 - +44 7700 900002: Morning all, briefing at 10
06/03/2024, 22:01 - +44 7700 900001: that victim was a proper slag, deserved it
06/03/2024, 22:03 - +44 7700 900002: Not funny, that is out of order
06/03/2024, 22:05 - +44 7700 900003: haha classic
08/03/2024, 14:00 - +44 7700 900001: switch the BWV off next time, nobody will know
09/03/2024, 08:10 - +44 7700 900003: <script>alert('x')</script> call me on 07700 900003
18/03/2024, 12:00 - +44 7700 900001: posted the custody photo in the other chat
"""


@dataclass
class Server:
    password: str
    url: str
    store: Store
    db: str
    export: Path
    artifacts: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(store: Store) -> None:
    for role in Role:
        add_user(store.engine, role.value, PASSWORD, role, f"{role.value.title()} Tester")
    with store.engine.begin() as conn:
        for staff, name, phone in STAFF:
            pid = register.add_person(conn, staff, name, "Example Police", "Team B", "PC")
            register.declare(conn, pid, "whatsapp", phone)


@contextmanager
def serving(store: Store, db: str, tmp: Path) -> Iterator[Server]:
    """``store`` served by uvicorn on a free port (a thread) while the block runs."""
    import uvicorn

    from conductlens.web.app import create_app
    from conductlens.web.settings import WebSettings

    app = create_app(store, WebSettings(secure_cookies=False))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    export = tmp / "WhatsApp Chat with Team B.txt"
    export.write_text(EXPORT, encoding="utf-8")
    artifacts = Path(os.environ.get("CONDUCTLENS_ARTIFACTS")
                     or Path(__file__).parent / "artifacts")
    artifacts.mkdir(parents=True, exist_ok=True)
    try:
        yield Server(PASSWORD, f"http://127.0.0.1:{port}", store, db, export, artifacts)
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    db = str(tmp_path / "browser.db")
    store = Store.open(db)
    _seed(store)
    with serving(store, db, tmp_path) as served:
        yield served
    store.close()


@dataclass
class CaseServer(Server):
    """A server whose store holds the sample case (``review.sample``) with scope 1 (5-15
    March, the Team B group) authorised: ready for roles that only look at a case."""

    world: World


@pytest.fixture(scope="module")
def case_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseServer]:
    """One server per module over the sample case: no ingest, no scan, no model."""
    tmp = tmp_path_factory.mktemp("case")
    db = str(tmp / "browser.db")
    store = Store.open(db)
    world = seed_world(store, PASSWORD)
    authorise_sample_scope(store, world)
    with serving(store, db, tmp) as served:
        yield CaseServer(**vars(served), world=world)
    store.close()


@contextmanager
def _chromium() -> Iterator[object]:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def browser() -> Iterator[object]:
    with _chromium() as b:
        yield b


@pytest.fixture(scope="module")
def module_browser() -> Iterator[object]:
    """One Chromium for a module's tests (each test opens its own contexts)."""
    with _chromium() as b:
        yield b
