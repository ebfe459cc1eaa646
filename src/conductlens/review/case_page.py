"""``CasePage``: the case page, one tab at a time, for the door (``CaseDoor``).

The page is split into tabs that each fit a screen: overview, exhibits, subjects and
people, scope, team, hours and notes, and outcomes and disclosure (bundles, and the names a
recipient may see). Each tab reads only what it shows (the scope tab
alone works out what each proposed scope would expose), so a case with many exhibits or
requests costs its tabs, not every visit. Names in exhibit and conversation names are masked
as everywhere (subjects of the scope in force shown, everyone else a pseudonym).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, func

from conductlens.detect import marks
from conductlens.review import (
    cases,
    hours,
    links,
    pseudonyms,
    recipients,
    register,
    scope,
    team_duties,
    teams,
)
from conductlens.review.access import ReviewSession
from conductlens.review.cases import CaseStatus
from conductlens.review.pseudonyms import Namer
from conductlens.review.roles import Permission
from conductlens.review.scope_review import known_categories, review_scope
from conductlens.store import tables as t

# Tab keys (as in ``?tab=``) and their labels, in the order the tab bar shows them.
TABS = {"overview": "Overview", "exhibits": "Exhibits", "people": "Subjects and people",
        "scope": "Scope", "team": "Team", "hours": "Hours and notes",
        "disclosure": "Outcomes and disclosure"}


SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True, slots=True)
class ScopeFindings:
    """The case's findings of one policy version inside the authorised scope, counted: what
    a scan's job page breaks down (outside the scope it gives the scan's total alone)."""

    scope_id: int | None  # None: no scope authorised, so nothing is inside
    findings: int = 0
    by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    by_category: dict[str, int] = field(default_factory=dict)


class CasePage(ReviewSession):
    """The case page's reads (metadata only: no message content is read here)."""

    def masked(self, *texts: str) -> tuple[str, ...]:
        """``texts`` (a job's file name, its one-line error) with names and numbers masked
        as the case page masks exhibit names."""
        self._need(Permission.VIEW_CASES)
        with self.engine.connect() as conn:
            self._open(conn)
            namer = self._metadata_namer(conn)
            return tuple(namer.redact(text) for text in texts)

    def scan_findings(self, policy_version: str) -> ScopeFindings:
        """The case's findings of ``policy_version`` inside the scope in force, by severity
        and by category (each counted once, as the queue shows them), for someone who may
        read them: a scan reads the whole case, but outside the scope only totals are shown."""
        self._need(Permission.READ_CONTENT)
        with self.engine.connect() as conn:
            self._open(conn)
            sc = scope.current(conn, self.case_id)
            if sc is None:
                return ScopeFindings(None)
            f = t.findings.c
            rows = conn.execute(
                self._finding_query(sc)
                .with_only_columns(f.severity, f.category, func.count())
                .where(scope.finding_once(sc), f.policy_version == policy_version)
                .group_by(f.severity, f.category)).all()
        severity: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        category: dict[str, int] = {}
        for sev, cat, n in rows:
            severity[str(sev)] = severity.get(str(sev), 0) + int(n)
            category[str(cat)] = category.get(str(cat), 0) + int(n)
        ordered = dict(sorted(category.items(), key=lambda kv: (-kv[1], kv[0])))
        return ScopeFindings(sc.id, sum(category.values()), severity, ordered)

    def case_tab(self, tab: str, everything: bool = False) -> dict[str, Any]:
        """What tab ``tab`` shows (an unknown tab is the overview); ``everything`` lists
        every hours entry and note, not the newest."""
        self._need(Permission.VIEW_CASES)
        tab = tab if tab in TABS else "overview"
        with self.engine.begin() as conn:
            self._open(conn)
            return {"tab": tab, "tabs": TABS, **_READS[tab](self, conn, everything)}

    def _metadata_namer(self, conn: Connection) -> Namer:
        """Masks names in exhibit and conversation names: subjects of the scope in force
        (else of the case) are shown, everyone else is a pseudonym."""
        current = scope.current(conn, self.case_id)
        subjects = current.subjects if current else [s[0] for s in cases.subjects(
            conn, self.case_id)]
        return Namer(conn, self.case_id, subjects)

    def _overview(self, conn: Connection, _all: bool) -> dict[str, Any]:
        logged = hours.logged(conn, self.case_id)
        waiting = [u for u in pseudonyms.unmask_list(conn, self.case_id)
                   if u["status"] == "requested"]
        return {"statuses": list(CaseStatus), "subjects": cases.subjects(conn, self.case_id),
                "exhibit_count": len(cases.exhibit_ids(conn, self.case_id)),
                "team": teams.members(conn, self.case_id), "hours": logged,
                "note_count": len(cases.notes(conn, self.case_id)),
                "unmask_waiting": len(waiting)}

    def _exhibits(self, conn: Connection, _all: bool) -> dict[str, Any]:
        namer = self._metadata_namer(conn)
        # Evidence added since the last scan (or never scanned) is pointed out, so nobody
        # takes a case's findings for the whole of its evidence.
        version = marks.baseline_version()
        waiting = marks.unscanned(conn, version, self.case_id)
        return {"exhibits": [replace(e, original_name=namer.redact(e.original_name))
                             for e in cases.exhibits(conn, self.case_id)],
                "unscanned": waiting, "unscanned_total": sum(waiting.values()),
                "policy_version": version}

    def _people(self, conn: Connection, _all: bool) -> dict[str, Any]:
        subjects = cases.subjects(conn, self.case_id)
        chosen = {pid for pid, _, _ in subjects}
        everyone = register.list_people(conn)
        return {"subjects": subjects, "subject_links": self._subject_links(conn, chosen),
                "people": everyone, "candidates": [p for p in everyone if p.id not in chosen],
                "unmasks": pseudonyms.unmask_list(conn, self.case_id),
                "links": links.listing(conn, self.case_id, self.user)}

    def _subject_links(self, conn: Connection, subjects: set[int]
                       ) -> dict[int, list[register.LinkSource]]:
        """How each subject's participants in this case were linked to them (the kind of
        identifier and what it matched; never the value, which would undo masking)."""
        found: dict[int, list[register.LinkSource]] = {}
        for source in register.link_sources(conn, exhibit_ids=cases.exhibit_ids(
                conn, self.case_id)):
            if source.person_id in subjects:
                found.setdefault(source.person_id, []).append(source)
        return found

    def _scope_tab(self, conn: Connection, _all: bool) -> dict[str, Any]:
        namer = self._metadata_namer(conn)
        history = scope.history(conn, self.case_id)
        return {"scopes": history,
                "reviews": {s.id: review_scope(conn, s) for s in history
                            if s.status == "proposed"},
                "conversations": [replace(c, title=namer.redact(c.title))
                                  for c in cases.conversations(conn, self.case_id)],
                "subjects": cases.subjects(conn, self.case_id),
                "categories": sorted(known_categories(conn, self.case_id))}

    def _team(self, conn: Connection, _all: bool) -> dict[str, Any]:
        return {"team": teams.members(conn, self.case_id),
                "assignable": teams.assignable(conn),
                "team_changes": team_duties.changes(conn, self.case_id)}

    def _hours(self, conn: Connection, everything: bool) -> dict[str, Any]:
        notes = cases.notes(conn, self.case_id)
        return {"hours": hours.logged(conn, self.case_id, everything),
                "activities": cases.ACTIVITIES, "everything": everything,
                "notes": notes if everything else notes[-hours.SHOWN:],
                "note_count": len(notes)}

    def _disclosure(self, conn: Connection, _all: bool) -> dict[str, Any]:
        return {"recipient_names": recipients.listing(conn, self.case_id),
                "recipients": recipients.recipients(conn, self.case_id)}


_READS: dict[str, Callable[[CasePage, Connection, bool], dict[str, Any]]] = {
    "overview": CasePage._overview, "exhibits": CasePage._exhibits,
    "people": CasePage._people, "scope": CasePage._scope_tab, "team": CasePage._team,
    "hours": CasePage._hours, "disclosure": CasePage._disclosure,
}
