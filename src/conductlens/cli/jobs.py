"""``conductlens jobs list|run``: the custodian's view of the background jobs.

``run`` runs what is queued (an upload's ingest, a bundle) in this process, each as the
account that asked for it, through the same door and audit as the web's worker; with
``--job ID --retry`` it runs a failed job again. Useful when the web app runs without its
worker, or to finish what a stopped server left.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import DbOption, fail, open_existing_store, record_audit, user_errors

console = Console(soft_wrap=True, highlight=False)
STATES = "queued, running, done or failed"


def list_(state: Annotated[str | None, typer.Option("--state", help=STATES)] = None,
          json_out: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
          db: DbOption = None) -> None:
    """List the newest jobs: kind, case, who asked, state, progress, result or error."""
    from conductlens.jobs import JobState, list_jobs, live_progress

    with user_errors():
        try:
            wanted = JobState(state) if state else None
        except ValueError:
            raise fail(f"--state: {state!r} is not one of {STATES}") from None
        found = list_jobs(open_existing_store(db), state=wanted)
        rows = [{"id": j.id, "kind": j.kind, "case_id": j.case_id,
                 "requested_by": j.requested_by, "state": j.state.value,
                 "progress": live_progress(j), "attempts": j.attempts,
                 "result": j.result_ref, "error": j.error,
                 "created_at": j.created_at.isoformat(timespec="seconds")} for j in found]
        if json_out:
            print(json.dumps({"jobs": rows}))
            return
        table = Table("id", "kind", "case", "asked by", "state", "progress", "result or error")
        for r in rows:
            table.add_row(str(r["id"]), str(r["kind"]), str(r["case_id"] or ""),
                          str(r["requested_by"]), str(r["state"]), str(r["progress"]),
                          str(r["result"] or r["error"] or ""))
        console.print(table)


def run(job: Annotated[int | None, typer.Option("--job", help="Run only this job.")] = None,
        retry: Annotated[bool, typer.Option(
            "--retry", help="With --job: run it again even though it failed.")] = False,
        db: DbOption = None) -> None:
    """Run the queued jobs now (or one job), then say how each ended."""
    from conductlens.jobs import run_job, run_pending
    from conductlens.jobs.queue import requeue_interrupted

    if retry and job is None:
        raise fail("--retry needs --job ID (which failed job to run again)")
    with user_errors():
        store = open_existing_store(db)
        requeue_interrupted(store)
        ended = [run_job(store, job, retry=retry)] if job is not None else run_pending(store)
        record_audit(store, "jobs.run", "", {"jobs": [j.id for j in ended]},
                     {"job": [j.id for j in ended]})
        for j in ended:
            console.print(f"job {j.id} ({j.kind}): {j.state.value}"
                          f"{': ' + (j.result_ref or '') if j.result_ref else ''}"
                          f"{': ' + j.error if j.error else ''}")
        if not ended:
            console.print("No queued jobs.")
        if any(j.state.value == "failed" for j in ended):
            raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Background jobs (uploads' ingests, bundles).", no_args_is_help=True)
    group.command("list")(list_)
    group.command("run")(run)
    app.add_typer(group, name="jobs")
