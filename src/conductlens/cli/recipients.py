"""``conductlens recipients list|propose|approve|refuse|revoke``: names for a recipient.

The command-line counterpart of the case page's Recipients section (``review/recipients.py``):
an investigator proposes that a disclosure's recipient see "Participant NN" by name, a
supervisor other than the proposer approves or refuses, an approval may be revoked. Every
action is a call into the case's door (``CaseDoor``), which checks role and team and audits
it exactly as the web does (``recipient_name.propose`` ...). A change is made as the ``--as``
account once its own password is accepted (read from the terminal or one line of stdin, like
a web sign-in): otherwise one person at a terminal could propose as one account and approve
as another. Listing needs no password (no identity is shown, as on the case page).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from conductlens.cli._common import (
    AsOption,
    DbOption,
    account,
    case_id,
    open_existing_store,
    signed_in,
    user_errors,
)

console = Console(soft_wrap=True, highlight=False)
CaseOption = Annotated[str, typer.Option("--case", help="Case reference.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why; recorded in the audit log.")]
ApprovalId = Annotated[int, typer.Argument(help="The approval's number (from recipients list).")]
DONE = {"approve": "approved", "refuse": "refused", "revoke": "revoked"}


def list_(case: CaseOption,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
          as_user: AsOption = None, db: DbOption = None) -> None:
    """List the case's proposals: recipient, pseudonym, status, who proposed and decided."""
    from conductlens.review.door import CaseDoor

    with user_errors():
        store = open_existing_store(db)
        door = CaseDoor(store.engine, account(store, as_user), case_id(store, case))
        rows = door.case_tab("disclosure")["recipient_names"]
    if as_json:
        console.print_json(json.dumps([{
            "id": r.id, "recipient": r.recipient, "pseudonym": r.pseudonym, "number": r.number,
            "reason": r.reason, "status": r.status, "proposed_by": r.proposed_by,
            "proposed_at": r.proposed_at.isoformat(), "decided_by": r.decided_by,
            "decided_at": r.decided_at.isoformat() if r.decided_at else None,
            "decision_reason": r.decision_reason} for r in rows]))
        return
    if not rows:
        console.print(f"No names proposed for any recipient in {case}.", markup=False)
    for r in rows:
        decided = (f"; {r.status} by {r.decided_by}: {r.decision_reason}"
                   if r.decided_by else "")
        console.print(f"#{r.id}  {r.recipient}: {r.pseudonym} {r.status} (proposed by "
                      f"{r.proposed_by}: {r.reason}{decided})", markup=False)


def propose(case: CaseOption,
            recipient: Annotated[str, typer.Option(
                "--recipient", help='Who receives the disclosure ("Misconduct panel").')],
            participant: Annotated[int, typer.Option(
                "--participant", min=1, help="The pseudonym's number: 7 for Participant 07.")],
            reason: ReasonOption, as_user: AsOption = None, db: DbOption = None) -> None:
    """Propose that a recipient see "Participant NN" by name (an investigator on the case
    team; a supervisor other than you decides). Reads your password first."""
    from conductlens.review.door import CaseDoor

    with user_errors():
        store = open_existing_store(db)
        cid = case_id(store, case)
        door = CaseDoor(store.engine, signed_in(store, as_user), cid)
        aid = door.propose_recipient_name(recipient, participant, reason)
    console.print(f"Proposed (#{aid}) that {' '.join(recipient.split())} see Participant "
                  f"{participant:02d} by name; a supervisor on the case team decides.",
                  markup=False)


def _decide(verdict: str, approval: int, case: str, reason: str, as_user: str | None,
            db: str | None) -> None:
    from conductlens.review.door import CaseDoor

    with user_errors():
        store = open_existing_store(db)
        cid = case_id(store, case)
        CaseDoor(store.engine, signed_in(store, as_user), cid).decide_recipient_name(
            approval, verdict, reason)
    console.print(f"Name for a recipient (#{approval}) {DONE[verdict]}.")


def approve(approval: ApprovalId, case: CaseOption, reason: ReasonOption,
            as_user: AsOption = None, db: DbOption = None) -> None:
    """Approve a proposal (a supervisor on the case team, never its proposer)."""
    _decide("approve", approval, case, reason, as_user, db)


def refuse(approval: ApprovalId, case: CaseOption, reason: ReasonOption,
           as_user: AsOption = None, db: DbOption = None) -> None:
    """Refuse a proposal (a supervisor on the case team, never its proposer)."""
    _decide("refuse", approval, case, reason, as_user, db)


def revoke(approval: ApprovalId, case: CaseOption, reason: ReasonOption,
           as_user: AsOption = None, db: DbOption = None) -> None:
    """Revoke an approval in force (a supervisor on the case team): later disclosures to
    that recipient show the pseudonym again."""
    _decide("revoke", approval, case, reason, as_user, db)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Names a disclosure's recipient may see (a second person "
                             "approves).", no_args_is_help=True)
    group.command("list")(list_)
    group.command("propose")(propose)
    group.command("approve")(approve)
    group.command("refuse")(refuse)
    group.command("revoke")(revoke)
    app.add_typer(group, name="recipients")
