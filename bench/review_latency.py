"""Latency of the reviewer's pages on a large store, through the real web app.

    python bench/review_latency.py [--messages 4000000] [--findings 200000]
                                   [--db /tmp/review-4m.db] [--repeat 20] [--warmed]

Builds the store the first time (bench/_review_store.py: bulk inserts, synthetic text, a
scope authorised over all of it) and reuses it after, as long as the sizes match (they are
kept beside it in ``PATH.bench.json``, or ``--meta`` for a PostgreSQL URL). Then signs in as
the case's investigator (and as the auditor for /audit) through FastAPI's TestClient against
``web.app.create_app``, the app ``conductlens serve`` runs, opens each page once to warm
(pseudonyms are numbered on a case's first read), then ``--repeat`` times, and prints the
p50 and p95 of each. Every view is audited as it would be in use, so the log grows as it
runs. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from _review_store import BuiltStore, as_json, build  # noqa: E402

from conductlens.review import warm  # noqa: E402
from conductlens.review.sample import PASSWORD  # noqa: E402
from conductlens.store import Store  # noqa: E402
from conductlens.web.app import create_app  # noqa: E402
from conductlens.web.settings import WebSettings  # noqa: E402


@dataclass
class Timings:
    """One page's answers: status codes and seconds, the warm-up call apart."""

    first: float = 0.0
    seconds: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0

    @property
    def p95(self) -> float:
        return self.quantile(0.95)


def _meta_path(db: str, meta: str | None) -> Path:
    if meta:
        return Path(meta)
    if "://" in db:
        return Path(f"/tmp/review_latency_{hashlib.sha1(db.encode()).hexdigest()[:10]}.json")
    return Path(f"{db}.bench.json")


def open_store(db: str, messages: int, findings: int, meta: str | None = None
               ) -> tuple[Store, BuiltStore]:
    """The store at ``db`` with the sizes asked for: reused when built before, else built
    (a SQLite file is replaced; a PostgreSQL database must be empty)."""
    kept = _meta_path(db, meta)
    if kept.exists():
        built = BuiltStore(**json.loads(kept.read_text()))
        if (built.messages, built.findings) == (messages, findings):
            return Store.open(db), built
    if "://" not in db:
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    store = Store.open(db)
    start = time.perf_counter()
    built = build(store, messages, findings)
    print(f"built {messages:,} messages, {findings:,} findings, {built.audit_records:,} audit "
          f"records in {time.perf_counter() - start:.0f} s", flush=True)
    kept.write_text(as_json(built))
    return store, built


def _client(app: Any, username: str) -> tuple[TestClient, str]:
    client = TestClient(app, base_url="http://localhost", follow_redirects=False)
    answer = client.post("/api/login", json={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    return client, str(answer.json()["csrf"])


def pages(built: BuiltStore) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Each page measured: (who, method, url and form)."""
    case = f"/cases/{built.case_id}"
    return {
        "case page": ("investigator", "GET", {"url": case}),
        "queue": ("investigator", "GET", {"url": f"{case}/queue"}),
        "queue, filtered": ("investigator", "GET", {"url": f"{case}/queue", "params": {
            "category": built.category, "severity": "high", "decision": "undecided"}}),
        "finding": ("investigator", "GET", {"url": f"{case}/findings/{built.finding_id}"}),
        "deep conversation": ("investigator", "GET", {
            "url": f"{case}/conversations/{built.big_conversation}",
            "params": {"at": built.late_message}}),
        "search, a word": ("investigator", "POST", {"url": f"{case}/search",
                                                    "data": {"q": built.search_word}}),
        "search, a phrase": ("investigator", "POST", {"url": f"{case}/search",
                                                      "data": {"q": '"delete this chat"'}}),
        "audit view": ("auditor", "GET", {"url": "/audit"}),
    }


def measure(store: Store, built: BuiltStore, repeat: int, budget: float = 60.0,
            only: list[str] | None = None,
            progress: Callable[[str, Timings], None] | None = None) -> dict[str, Timings]:
    """Each page (or those in ``only``), warmed once then ``repeat`` times, through the app
    ``serve`` runs; a page stops repeating once it has spent ``budget`` seconds (a page
    that slow is slow on every sample: its few samples say so)."""
    app = create_app(store, WebSettings(secure_cookies=False, secret_key="bench",
                                        run_jobs=False))
    clients = {who: _client(app, who) for who in ("investigator", "auditor")}
    out: dict[str, Timings] = {}
    for name, (who, method, request) in pages(built).items():
        if only and name not in only:
            continue
        client, csrf = clients[who]
        if "data" in request:
            request = {**request, "data": {**request["data"], "csrf": csrf}}
        got = out[name] = Timings()
        spent = 0.0
        for n in range(repeat + 1):
            if spent > budget and got.seconds:
                break
            start = time.perf_counter()
            answer = client.request(method, **request)
            took = time.perf_counter() - start
            got.statuses.append(answer.status_code)
            if n == 0:
                got.first = took  # the warm-up is not counted against the budget
            else:
                spent += took
                got.seconds.append(took)
        if progress:
            progress(name, got)
    return out


def versions(store: Store) -> str:
    with store.engine.connect() as conn:
        server = (conn.scalar(text("SHOW server_version")) if store.dialect == "postgresql"
                  else sqlite3.sqlite_version)
    return (f"Python {platform.python_version()}, {store.dialect} {server}, "
            f"{platform.machine()}, {platform.processor() or platform.system()}")


HEADING = f"{'page':<20} {'first':>9} {'p50':>9} {'p95':>9} {'n':>3}  status"


def line(name: str, got: Timings) -> str:
    codes = ",".join(str(c) for c in sorted(set(got.statuses)))
    return (f"{name:<20} {got.first * 1000:>7.0f}ms {got.p50 * 1000:>7.0f}ms "
            f"{got.p95 * 1000:>7.0f}ms {len(got.seconds):>3}  {codes}")


def report(built: BuiltStore, timings: dict[str, Timings], about: str) -> str:
    lines = [f"{built.messages:,} messages, {built.findings:,} findings, "
             f"{built.audit_records:,} audit records; {about}", HEADING]
    return "\n".join(lines + [line(name, got) for name, got in timings.items()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=4_000_000)
    parser.add_argument("--findings", type=int, default=200_000)
    parser.add_argument("--db", default="/tmp/conductlens-review-latency.db",
                        help="a SQLite path or a PostgreSQL URL; the store is kept there")
    parser.add_argument("--meta", default=None, help="where the store's sizes are kept")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds a page may spend before it stops repeating")
    parser.add_argument("--warmed", action="store_true",
                        help="count the pages' figures first, as `serve`'s warmer does after "
                             "the store changes (review.warm); else the first view counts them")
    parser.add_argument("--page", action="append", dest="only", choices=list(pages(
        BuiltStore(0, 0, 0, 0, 0, 0, 0, "", ""))), help="only this page (repeatable)")
    args = parser.parse_args()
    store, built = open_store(args.db, args.messages, args.findings, args.meta)
    try:
        if args.warmed:
            start = time.perf_counter()
            warm.warm(store.engine)
            print(f"warmed in {time.perf_counter() - start:.1f} s (in the background when "
                  "served)", flush=True)
        print(f"{built.messages:,} messages, {built.findings:,} findings, "
              f"{built.audit_records:,} audit records; {versions(store)}\n{HEADING}",
              flush=True)
        measure(store, built, args.repeat, args.budget, args.only,
                lambda name, got: print(line(name, got), flush=True))
    finally:
        store.close()


if __name__ == "__main__":
    main()
