"""``conductlens jobs list|run``: the custodian's view of the background jobs.

``run`` runs what is queued (an upload's ingest, a policy scan, a bundle) in this process,
each as the account that asked for it, through the same door and audit as the web's worker;
with ``--job ID --retry`` it runs a failed job again (a scan goes on from where it stopped).
Useful when the web app runs without its worker, or to finish what a stopped server left.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from conductlens.cli._common import DbOption, fail, open_existing_store, record_audit, user_errors

if TYPE_CHECKING:
    from conductlens.jobs import Job
    from conductlens.store import Store

console = Console(soft_wrap=True, highlight=False)
POLL_SECONDS = 2.0
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
        store = open_existing_store(db)
        found = list_jobs(store, state=wanted)
        rows = [{"id": j.id, "kind": j.kind, "case_id": j.case_id,
                 "requested_by": j.requested_by, "state": j.state.value,
                 "progress": live_progress(j, store), "total": j.progress_total,
                 "attempts": j.attempts,
                 "result": j.result_ref, "error": j.error, "summary": j.summary,
                 "created_at": j.created_at.isoformat(timespec="seconds")} for j in found]
        if json_out:
            print(json.dumps({"jobs": rows}))
            return
        table = Table("id", "kind", "case", "asked by", "state", "progress", "result or error")
        for r in rows:
            table.add_row(str(r["id"]), str(r["kind"]), str(r["case_id"] or ""),
                          str(r["requested_by"]), str(r["state"]),
                          f"{r['progress']} of {r['total']}" if r["total"] else str(r["progress"]),
                          str(r["result"] or r["error"] or _found(r["summary"])))
        console.print(table)


def _found(summary: object) -> str:
    """A finished scan's findings, for its row (it produces no reference)."""
    found = summary.get("findings") if isinstance(summary, dict) else None
    return "" if found is None else f"{found} findings"


def run(job: Annotated[int | None, typer.Option("--job", help="Run only this job.")] = None,
        retry: Annotated[bool, typer.Option(
            "--retry", help="With --job: run it again even though it failed.")] = False,
        watch: Annotated[bool, typer.Option(
            "--watch", help="Keep running jobs as they are queued, until Ctrl-C: the worker "
            "process for a server started with --no-jobs.")] = False,
        db: DbOption = None) -> None:
    """Run the queued jobs now (or one job), then say how each ended."""
    from conductlens.jobs import run_job, run_pending
    from conductlens.jobs.queue import requeue_interrupted

    if retry and job is None:
        raise fail("--retry needs --job ID (which failed job to run again)")
    if watch and job is not None:
        raise fail("--watch runs every queued job: leave out --job")
    with user_errors():
        store = open_existing_store(db)
        requeue_interrupted(store)
        if watch:
            _watch(store)
            return
        ended = [run_job(store, job, retry=retry)] if job is not None else run_pending(store)
        _report(store, ended)
        if not ended:
            console.print("No queued jobs.")
        if any(j.state.value == "failed" for j in ended):
            raise typer.Exit(1)


def _report(store: Store, ended: list[Job]) -> None:
    """Audit the jobs this command ran and say how each ended."""
    record_audit(store, "jobs.run", "", {"jobs": [j.id for j in ended]},
                 {"job": [j.id for j in ended]})
    for j in ended:
        console.print(f"job {j.id} ({j.kind}): {j.state.value}"
                      f"{': ' + (j.result_ref or '') if j.result_ref else ''}"
                      f"{': ' + j.error if j.error else ''}")


def _watch(store: Store) -> None:
    """Run queued jobs as they come, polling every ``POLL_SECONDS``, until Ctrl-C (a job in
    hand when it comes is queued again at the next start: every job is safe to re-run)."""
    from conductlens.jobs import run_pending

    console.print("Running jobs as they are queued (Ctrl-C stops).")
    try:
        while True:
            ended = run_pending(store)
            if ended:
                _report(store, ended)
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        console.print("Stopped.")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Background jobs (uploads' ingests, policy scans, bundles).",
                        no_args_is_help=True)
    group.command("list")(list_)
    group.command("run")(run)
    app.add_typer(group, name="jobs")
