"""``conductlens serve|demo``: the review commands."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from conductlens.cli._common import DbOption, fail, open_store, user_errors
from conductlens.errors import ConductLensError
from conductlens.store import Store

console = Console(soft_wrap=True, highlight=False)
HostOption = Annotated[str, typer.Option("--host", help="Interface to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="TCP port.")]
InsecureOption = Annotated[bool, typer.Option(
    "--http", help="Allow the session cookie over plain HTTP (localhost only).")]


def _serve(store: Store, host: str, port: int, http: bool, jobs: bool = True) -> None:
    import uvicorn

    from conductlens.settings import Settings
    from conductlens.web.app import create_app
    from conductlens.web.logs import withhold_details
    from conductlens.web.settings import WebSettings

    if http and host not in ("127.0.0.1", "localhost", "::1"):
        raise fail("--http is only allowed on a loopback address")
    region = Settings().phone_region
    app = create_app(store, WebSettings(secure_cookies=not http, phone_region=region,
                                        run_jobs=jobs))
    if http:
        console.print(f"ConductLens on http://{host}:{port}/ (Ctrl-C stops)")
    else:  # what listens is plain HTTP; the address people open is the TLS proxy's
        console.print(f"ConductLens listening on {host}:{port} for a TLS proxy; its session "
                      "cookie is sent only over HTTPS: open it through the proxy, or add "
                      "--http to use it on this machine (Ctrl-C stops)")
    # Access logs hold paths only; search terms travel in POST bodies, never in URLs; a failed
    # request's traceback is logged as its kind only (web/logs.py).
    withhold_details()
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve(db: DbOption = None, host: HostOption = "127.0.0.1", port: PortOption = 8000,
          http: InsecureOption = False,
          jobs: Annotated[bool, typer.Option(
              "--jobs/--no-jobs", help="Run queued jobs (ingests, scans, bundles) in a worker "
              "thread of the server; --no-jobs leaves them to `conductlens jobs run --watch` "
              "in a process of its own.")] = True) -> None:
    """Serve the review web UI and JSON API (behind a TLS proxy unless --http)."""
    with user_errors():
        _serve(open_store(db), host, port, http, jobs)


def demo(
    db: DbOption = None, no_serve: Annotated[bool, typer.Option(
        "--no-serve", help="Build the demo store, print the accounts, and stop.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the generated demo exhibits (default: a temp folder).")] = None,
    host: HostOption = "127.0.0.1", port: PortOption = 8000,
) -> None:
    """Build a demo store (exhibits, register, one account per role, a case awaiting
    authorisation, findings, an audit trail), print the passwords once, then serve it."""
    from conductlens.review.demo_setup import CASE, build_demo

    with user_errors():
        store = open_store(db or str(Path(tempfile.mkdtemp(prefix="conductlens-demo-")) /
                                     "demo.db"))
        _require_empty(store)
        files = out or Path(tempfile.mkdtemp(prefix="conductlens-demo-files-"))
        accounts = build_demo(store, files, step=lambda what: console.print(
            f"[dim]{what}...[/dim]", highlight=False))
        console.print(f"Demo store: {store.url}")
        console.print(f"Case {CASE}: exhibits {', '.join(accounts.exhibits)}; "
                      f"{accounts.findings} findings; a scope awaits authorisation.")
        console.print("Accounts (passwords are shown once):")
        for username, password in accounts.passwords.items():
            console.print(f"  {username:<13} {password}", highlight=False)
        if not no_serve:
            _serve(store, host, port, http=True)


def _require_empty(store: Store) -> None:
    """The demo creates its own accounts and case: refuse a store that already holds any."""
    from sqlalchemy import func, select

    from conductlens.store import tables as t

    with store.engine.connect() as conn:
        held = conn.scalar(select(func.count()).select_from(t.exhibits))
    if held:
        raise ConductLensError(
            f"{store.url} already holds {held} exhibit(s); the demo needs a new, empty store "
            "(give another --db, or leave --db out for a temporary one)"
        )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("demo")(demo)
