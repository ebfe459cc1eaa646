"""`serve-check`: the check contract over HTTP, a nudge naming the Standard, a rate limit per
client, and nothing of the message in any log record, file or store."""

from __future__ import annotations

import logging
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from conductlens.checkservice.app import create_check_app, server_config
from conductlens.checkservice.nudge import CLEAR
from conductlens.checkservice.ratelimit import RateLimiter
from conductlens.detect.contract import finding_json
from conductlens.detect.policy import Policy, load_policy
from conductlens.detect.scan import check_text
from conductlens.store import Store

SLUR = "oi mate the p*kis on nights are taking the piss"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture
def client(policy: Policy) -> Iterator[TestClient]:
    with TestClient(create_check_app(policy, RateLimiter(per_minute=600, burst=50))) as c:
        yield c


def test_check_answers_the_check_json_objects_and_a_nudge(
    client: TestClient, policy: Policy
) -> None:
    answer = client.post("/v1/check", json={"text": SLUR})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert list(body) == ["findings", "nudge"]
    assert body["findings"] == [finding_json(f) for f in check_text(policy, SLUR)]
    race = next(f for f in body["findings"] if f["category"] == "discrimination-race")
    (start, end), *_ = race["spans"]
    assert SLUR[start:end] == "p*kis"
    assert "Equality and diversity" in body["nudge"] and "Think before you send" in body["nudge"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("briefing at 07:30, bring your notebooks", CLEAR),
        ("fucking hell the van is late again", "Profanity"),
    ],
)
def test_nudge_is_plain_language(client: TestClient, text: str, expected: str) -> None:
    body = client.post("/v1/check", json={"text": text}).json()
    assert expected.lower() in body["nudge"].lower()
    assert all(f["severity"] == "low" for f in body["findings"])


def test_rate_limited_per_client_with_retry_after(policy: Policy) -> None:
    app = create_check_app(policy, RateLimiter(per_minute=6, burst=2))
    with TestClient(app) as c:
        codes = [c.post("/v1/check", json={"text": "morning"}).status_code for _ in range(3)]
        refused = c.post("/v1/check", json={"text": "morning"})
    assert codes == [200, 200, 429] and refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1


def test_bucket_refills_and_keeps_clients_apart() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=1, clock=lambda: now[0])
    assert limiter.allow("a") == 0.0
    assert limiter.allow("a") == pytest.approx(1.0)
    assert limiter.allow("b") == 0.0  # another client has its own bucket
    now[0] = 1.0
    assert limiter.allow("a") == 0.0


@pytest.mark.parametrize(
    "payload", [{"text": "x" * 4001}, {"message": "hello"}, {"text": "hi", "user": "PC 123"}]
)
def test_bad_request_does_not_echo_the_text(client: TestClient, payload: object) -> None:
    answer = client.post("/v1/check", json=payload)
    assert answer.status_code == 422 and "xxxx" not in answer.text and "hello" not in answer.text


def test_openapi_and_an_accessible_page_without_cdn(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert (
        "/v1/check" in schema["paths"]
        and "429" in schema["paths"]["/v1/check"]["post"]["responses"]
    )
    page = client.get("/").text
    assert '<label for="text">' in page and 'aria-live="polite"' in page and 'lang="en-GB"' in page
    assert "http://" not in page and "https://" not in page  # vendored, no CDN
    assert client.get("/static/check.js").status_code == 200
    assert "default-src 'self'" in client.get("/").headers["content-security-policy"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _no_store(*_: object, **__: object) -> None:
    raise AssertionError("the check service opened a store")


def _files(folder: Path) -> set[Path]:
    found = set()
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                found.add(path)
        except OSError:  # other processes share the temporary folder
            continue
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # another process's file, gone or not ours to read: not written by us
        return b""


def test_nothing_of_the_message_reaches_a_log_or_a_file(
    policy: Policy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    secret = "zqxsecret the n****r in cell 4 said it"
    monkeypatch.chdir(tmp_path)
    temp = Path(tempfile.gettempdir())
    before_tmp, before_cwd = _files(temp), _files(tmp_path)
    monkeypatch.setattr(Store, "open", _no_store)  # the service must never open a store
    caplog.set_level(logging.DEBUG)
    port = _free_port()
    config = server_config(create_check_app(policy), "127.0.0.1", port)
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):  # they don't propagate
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).addHandler(caplog.handler)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 300  # startup loads the encoder: slow on a busy CPU
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/check", json={"text": secret})
        assert answer.status_code == 200 and answer.json()["findings"]
        httpx.post(f"http://127.0.0.1:{port}/v1/check", json={"text": secret * 200})  # 422
    finally:
        server.should_exit = True
        thread.join(10)
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).removeHandler(caplog.handler)
    logged = [r.getMessage() + str(r.args) + str(r.__dict__) for r in caplog.records]
    assert any(r.name.startswith("uvicorn") for r in caplog.records)  # the capture works
    assert not any("zqxsecret" in line for line in logged)
    out, err = capfd.readouterr()
    assert "zqxsecret" not in out + err
    assert _files(tmp_path) == before_cwd  # nothing written where it runs
    for path in _files(temp) - before_tmp:  # anything new elsewhere holds none of it
        assert b"zqxsecret" not in _read(path), path
