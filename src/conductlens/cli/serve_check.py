"""``conductlens serve-check``: the check-before-you-send service (stateless; nothing kept)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from conductlens.cli._common import user_errors

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``serve-check`` to ``app``."""
    app.command("serve-check")(serve_check)


def serve_check(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8080,
    policy_path: Annotated[
        Path | None,
        typer.Option(
            "--policy", help="Policy YAML (default: the national baseline).", show_default=False
        ),
    ] = None,
    per_minute: Annotated[
        float, typer.Option("--per-minute", help="Checks a client may make a minute (0: no limit).")
    ] = 60,
    burst: Annotated[int, typer.Option("--burst", help="Checks a client may make at once.")] = 10,
) -> None:
    """Serve POST /v1/check (findings and a nudge naming the Standard); nothing is stored or
    logged; rate-limited per client; a page to try it at /."""
    import uvicorn

    from conductlens.checkservice.app import create_check_app, server_config
    from conductlens.checkservice.ratelimit import RateLimiter
    from conductlens.detect.policy import load_policy
    from conductlens.web.logs import withhold_details

    with user_errors():
        policy = load_policy(policy_path)
    app = create_check_app(policy, RateLimiter(per_minute=per_minute, burst=burst))
    console.print(f"Check service on http://{host}:{port}/ (Ctrl-C stops); nothing is kept.")
    withhold_details()  # a failed check's traceback could quote the text checked
    uvicorn.Server(server_config(app, host, port)).run()
