"""``CaseDoor``: one user's door into one case, for reads *and* writes.

It extends ``QueueTools`` (tags, escalation, on ``QueueSession``: the paged queue),
``ConversationReader`` (conversation pages), ``SearchReader`` (search), ``PeopleReader``
(the people page) and ``CasePage`` (the case page's tabs), all ``ReviewSession`` reads,
with every write a case takes: scope proposals and decisions, unmasking and linking
requests and decisions, subjects, hours, notes, status, exhibits, policy runs, outcomes,
barred-list referrals and the record of a bundle's download. Each method checks the role
(``roles.allows``) and the case team (``teams.may_open``) itself, takes the actor from the
signed-in user (never from its caller), runs in one transaction and writes its audit event
in it. Routes and commands are thin calls into it; ``tests/review/test_architecture.py``
keeps it so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, select

from conductlens.errors import ConductLensError, ScopeError
from conductlens.report.records import BarredListReferral, Outcome
from conductlens.report.terms import OutcomeRefused
from conductlens.review import (
    audit,
    cases,
    links,
    matching,
    pseudonyms,
    recipients,
    scope,
)
from conductlens.review.access import Totals
from conductlens.review.accounts import User
from conductlens.review.case_page import CasePage
from conductlens.review.cases import Case, CaseStatus
from conductlens.review.conversation import ConversationReader
from conductlens.review.people_view import PeopleReader
from conductlens.review.queue_tools import QueueTools
from conductlens.review.roles import Permission
from conductlens.review.scope_review import ScopeReview, review_scope
from conductlens.review.searching import SearchReader
from conductlens.store.tables_review import link_requests, scopes, unmask_requests

if TYPE_CHECKING:
    from conductlens.detect.run import ScanSummary
    from conductlens.ingest.pipeline import IngestSummary

P = Permission


@dataclass(frozen=True, slots=True)
class CaseHeader:
    """What every case page shows in its header: reference, status, scope and totals."""

    case: Case
    scope: scope.Scope | None
    pending: int
    totals: Totals


class CaseDoor(QueueTools, ConversationReader, SearchReader, PeopleReader, CasePage):
    """Every action one user takes on one case."""

    @classmethod
    def for_object(cls, engine: Engine, user: User, kind: str, object_id: int) -> CaseDoor:
        """The door of the case a scope or request belongs to (unknown: no such case)."""
        table = {"scope": scopes, "unmask": unmask_requests, "link": link_requests}[kind]
        with engine.connect() as conn:
            case_id = conn.scalar(select(table.c.case_id).where(table.c.id == object_id))
        if case_id is None:
            raise ScopeError(f"no such {kind}")
        return cls(engine, user, int(case_id))

    def _write(self, permission: Permission, act: Callable[[Connection], Any]) -> Any:
        """Check role and team, then ``act`` inside one transaction."""
        self._need(permission)
        with self.engine.begin() as conn:
            self._open(conn)
            return act(conn)

    @property
    def _actor(self) -> str:
        return self.user.username

    # -- metadata ------------------------------------------------------------------------------
    def header(self) -> CaseHeader:
        self._need(P.VIEW_TOTALS)
        with self.engine.connect() as conn:
            self._open(conn)
            case = cases.find_case(conn, self.case_id)
            current = scope.current(conn, self.case_id)
            pending = sum(1 for s in scope.history(conn, self.case_id) if s.status == "proposed")
        return CaseHeader(case, current, pending, self.totals())

    # -- scope ---------------------------------------------------------------------------------
    def propose_scope(self, *, subjects: list[int], conversations: list[int],
                      date_from: date, date_to: date, categories: list[str],
                      rationale: str) -> int:
        def act(conn: Connection) -> int:
            return scope.propose(conn, self.case_id, self._actor, subjects=subjects,
                                 conversations=conversations, date_from=date_from,
                                 date_to=date_to, categories=categories, rationale=rationale)
        return int(self._write(P.PROPOSE_SCOPE, act))

    def review_scope(self, scope_id: int) -> ScopeReview:
        """What a proposed scope would expose, for the supervisor deciding it."""
        self._need(P.AUTHORISE_SCOPE)
        with self.engine.begin() as conn:
            self._open(conn)
            return review_scope(conn, self._scope_of(conn, scope_id))

    def _scope_of(self, conn: Connection, scope_id: int) -> scope.Scope:
        found = next((s for s in scope.history(conn, self.case_id) if s.id == scope_id), None)
        if found is None:
            raise ScopeError("no such scope in this case")
        return found

    def decide_scope(self, scope_id: int, authorise: bool, reason: str) -> None:
        def act(conn: Connection) -> None:
            self._scope_of(conn, scope_id)
            (scope.authorise if authorise else scope.refuse)(conn, scope_id, self._actor, reason)
        self._write(P.AUTHORISE_SCOPE, act)

    # -- identities ----------------------------------------------------------------------------
    def request_unmask(self, number: int, reason: str) -> int:
        return int(self._write(P.REQUEST_UNMASK, lambda conn: pseudonyms.request_unmask(
            conn, self.case_id, number, reason, self._actor)))

    def decide_unmask(self, request_id: int, approve: bool, reason: str) -> None:
        def act(conn: Connection) -> None:
            ids = {int(str(r["id"])) for r in pseudonyms.unmask_list(conn, self.case_id)}
            if request_id not in ids:
                raise ScopeError("no such request in this case")
            pseudonyms.decide_unmask(conn, request_id, self._actor, approve, reason)
        self._write(P.APPROVE_UNMASK, act)

    def propose_recipient_name(self, recipient: str, number: int, reason: str) -> int:
        """Propose that a disclosure's ``recipient`` see "Participant ``number``" by name."""
        return int(self._write(P.REQUEST_UNMASK, lambda conn: recipients.propose(
            conn, self.case_id, recipient, number, reason, self._actor)))

    def decide_recipient_name(self, approval_id: int, verdict: str, reason: str) -> None:
        """``verdict`` approve or refuse (not the proposer), or revoke an approval."""
        self._write(P.APPROVE_UNMASK, lambda conn: recipients.decide(
            conn, self.case_id, approval_id, self._actor, verdict, reason))

    def request_link(self, number: int, person_id: int, reason: str) -> int:
        """Ask that "Participant ``number``" be linked to a register person (decided by a
        supervisor: a link can reveal who someone is)."""
        return int(self._write(P.LINK_PARTICIPANTS, lambda conn: links.request(
            conn, self.case_id, "link", person_id, reason, self._actor, number)))

    def request_unlink(self, person_id: int, reason: str) -> int:
        return int(self._write(P.LINK_PARTICIPANTS, lambda conn: links.request(
            conn, self.case_id, "unlink", person_id, reason, self._actor)))

    def decide_link(self, request_id: int, approve: bool, reason: str) -> None:
        self._write(P.APPROVE_UNMASK, lambda conn: links.decide(
            conn, self.case_id, request_id, self._actor, approve, reason))

    # -- case record ---------------------------------------------------------------------------
    def add_subject(self, person_id: int) -> str:
        """Make register person ``person_id`` a subject; returns them as the page names
        them ("Alan Grant (PC1001)")."""
        def act(conn: Connection) -> str:
            if any(pid == person_id for pid, _, _ in cases.subjects(conn, self.case_id)):
                raise ConductLensError("Subject: that person is already a subject of this case")
            cases.add_subject(conn, self.case_id, person_id, self._actor)
            return next(f"{name} ({staff})" for pid, staff, name
                        in cases.subjects(conn, self.case_id) if pid == person_id)
        return str(self._write(P.EDIT_CASE, act))

    def log_hours(self, hours: float, note: str = "", activity: str | None = None,
                  worked_on: date | None = None) -> None:
        self._write(P.EDIT_CASE, lambda conn: cases.log_hours(
            conn, self.case_id, self._actor, hours, note, activity, worked_on))

    def add_note(self, text: str) -> None:
        self._write(P.EDIT_CASE, lambda conn: cases.add_note(conn, self.case_id, self._actor,
                                                             text))

    def set_status(self, status: str) -> None:
        try:
            new = CaseStatus(status)
        except ValueError as exc:
            raise ConductLensError(f"unknown status {status!r}") from exc
        self._write(P.EDIT_CASE, lambda conn: cases.set_status(conn, self.case_id, new,
                                                               self._actor))

    def reference(self) -> str:
        self._need(P.VIEW_CASES)
        with self.engine.connect() as conn:
            self._open(conn)
            return cases.find_case(conn, self.case_id).reference

    def add_exhibit(self, store: Any, path: Path,
                    progress: Callable[[int], None] | None = None) -> IngestSummary:
        """Ingest ``path`` into this case, link participants by declared identifiers;
        returns the ingest's ``IngestSummary`` (``progress`` hears records read so far)."""
        from conductlens.ingest.pipeline import ingest_path

        reference = self.reference()
        self._need(P.EDIT_CASE)
        summary = ingest_path(store, path, case=reference, added_by=self._actor,
                              progress=progress)

        def act(conn: Connection) -> None:
            ids = cases.exhibit_ids(conn, self.case_id)
            matching.link_by_identifier(conn, ids, self._actor)
            audit.append(conn, audit.AuditEvent(
                self._actor, "exhibit.add", self.case_id, {"exhibit": ids},
                detail={"reference": summary.reference, "sha256": summary.sha256,
                        "messages": summary.messages, "duplicate": summary.duplicate}))
        self._write(P.EDIT_CASE, act)
        return summary

    # -- outcomes ------------------------------------------------------------------------------
    def outcomes(self) -> dict[str, Any]:
        """The outcomes page: the case's subjects, each one's recorded outcome and referral."""
        from conductlens.report import outcomes

        self._need(P.VIEW_CASES)
        with self.engine.connect() as conn:
            self._open(conn)
            recorded = {o.person_id: o for o in outcomes.case_outcomes(conn, self.case_id)}
            return {"subjects": cases.subjects(conn, self.case_id), "recorded": recorded,
                    "referrals": {o.id: outcomes.referral_for(conn, o.id)
                                  for o in recorded.values() if o.id}}

    def record_outcome(self, outcome: Outcome) -> int:
        """Record (or replace) one subject's outcome; regulation 42's rules refuse a bad one."""
        from conductlens.report import outcomes

        if outcome.case_id != self.case_id:
            raise ScopeError("that outcome belongs to another case")
        return int(self._write(P.EDIT_CASE, lambda conn: outcomes.record_outcome(
            conn, outcome, self._actor)))

    def record_referral(self, referral: BarredListReferral) -> int:
        """Record the barred-list referral sent for one of this case's dismissals."""
        from conductlens.report import outcomes

        def act(conn: Connection) -> int:
            if outcomes.find_outcome(conn, referral.outcome_id).case_id != self.case_id:
                raise OutcomeRefused(f"outcome_id: no outcome {referral.outcome_id} in this case")
            return outcomes.record_referral(conn, referral, self._actor)
        return int(self._write(P.EDIT_CASE, act))

    def bundle_refused(self, made_under: int | None) -> str | None:
        """Why a bundle made under scope ``made_under`` may not leave now, in one line for
        its requester (None: it may): only the scope in force says what may be disclosed."""
        self._need(P.READ_CONTENT)
        with self.engine.connect() as conn:
            self._open(conn)
            return bundle_refusal(made_under, scope.current(conn, self.case_id))

    def bundle_download(self, reference: str, recipient: str, files: dict[str, str],
                        made_under: int | None = None) -> None:
        """Record that this user takes bundle ``reference`` (made for ``recipient`` under
        scope ``made_under``; its files' hashes) away, before any of its bytes are returned:
        the bundle holds content, so each download is a disclosure of its own, under the
        scope in force. A bundle made under another scope (replaced since, or none in force
        now) is refused, and the refusal recorded (``disclosure.bundle.refused``): it may
        hold content outside the scope now authorised."""
        self._need(P.READ_CONTENT)

        def act(conn: Connection) -> str | None:
            in_force = scope.current(conn, self.case_id)
            why = bundle_refusal(made_under, in_force)
            detail: dict[str, object] = {"bundle": reference, "recipient": recipient,
                                         "made_under_scope": made_under}
            if why is not None:
                self._audit(conn, "disclosure.bundle.refused", in_force,
                            {"scope": [made_under] if made_under is not None else []},
                            detail | {"scope_in_force": in_force.id if in_force else None,
                                      "why": why})
                return why
            self._audit(conn, "disclosure.bundle.download", in_force, {},
                        detail | {"files": files})
            return None
        why = self._write(P.EDIT_CASE, act)  # a refusal is committed with its record
        if why is not None:
            raise BundleNotInForce(why)

    def run_policy(self, store: Any, progress: Callable[[int, int], None] | None = None
                   ) -> ScanSummary:
        """Run the baseline policy over this case's messages not yet scanned with it (the
        scan job); ``progress(done, total)`` hears each committed batch."""
        from conductlens.review.policy_run import scan_case

        self.reference()
        self._need(P.EDIT_CASE)
        return scan_case(store, self.case_id, self._actor, progress)


class BundleNotInForce(ConductLensError):
    """A bundle made under a scope that is not the scope in force: it may not leave."""


def bundle_refusal(made_under: int | None, in_force: scope.Scope | None) -> str | None:
    """The one line that says why a bundle made under scope ``made_under`` may not be
    downloaded while ``in_force`` is the scope in force (None: it may)."""
    if made_under is None:
        return ("This bundle does not record the scope it was made under; make a new bundle "
                "under the scope now authorised.")
    if in_force is None:
        return (f"This bundle was made under scope {made_under}, which is no longer in force; "
                "no scope is authorised now, so no bundle can be downloaded.")
    if in_force.id != made_under:
        return (f"This bundle was made under scope {made_under}, which is no longer in force; "
                f"make a new bundle under the scope now authorised (scope {in_force.id}).")
    return None


def open_case(engine: Engine, user: User, reference: str, allegation: str) -> int:
    """Open a case as ``user`` (who joins its team); see ``cases.open_case`` for who may
    open a reference an ingest created, and why a taken reference tells an outsider nothing."""
    from conductlens.review.roles import allows

    if not allows(user.role, P.EDIT_CASE):
        from conductlens.review.access import Forbidden

        raise Forbidden(f"{user.role} may not {P.EDIT_CASE.value}")
    try:
        with engine.begin() as conn:
            return cases.open_case(conn, reference, allegation, user.username)
    except cases.ReferenceTaken:
        with engine.begin() as conn:  # the refusal is recorded; the answer says nothing more
            audit.append(conn, audit.AuditEvent(user.username, "case.open.refused",
                                                detail={"reference": reference.strip()}))
        raise
