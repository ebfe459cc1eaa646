"""The ``conductlens`` command: one Typer app, one module per group of commands."""

from __future__ import annotations

import typer

from conductlens.cli import (
    audit,
    detect,
    dynamics,
    evidence,
    findings,
    images,
    jobs,
    recipients,
    report,
    review,
    scan,
    serve_check,
    staff,
    users,
)

app = typer.Typer(
    name="conductlens",
    help="Proportionate, auditable review of instant-messaging evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
evidence.register(app)
detect.register(app)
scan.register(app)
findings.register(app)
serve_check.register(app)
review.register(app)
audit.register(app)
dynamics.register(app)
report.register(app)
recipients.register(app)
images.register(app)
jobs.register(app)
users.register(app)
staff.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
