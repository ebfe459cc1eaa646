"""The disclosure schedule, in the style of the CPS MG6 forms.

Every item is numbered and traceable to its exhibit (reference, location, SHA-256). Items are
*relied on* (exhibits and messages the findings rest on), *unused non-sensitive* (MG6C: the
other findings reviewed in scope, exhibits nothing was relied on from) or *unused sensitive*
(MG6D, with the reason: police information in findings not relied on, and the material outside
the authorised scope, which was not examined).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conductlens.report.bundle_content import BundleContent
from conductlens.review.access import ShownFinding

RELIED_ON = "relied on"
UNUSED = "unused non-sensitive"
SENSITIVE = "unused sensitive"
# Finding categories whose messages carry police information (PNC, intelligence, custody).
SENSITIVE_CATEGORIES = frozenset({"confidentiality", "misuse_of_systems"})


@dataclass(frozen=True, slots=True)
class ScheduleItem:
    number: int
    description: str
    date_range: str
    exhibit: str
    location: str
    sha256: str
    category: str
    reason: str
    redacted: str
    disclosed_to: str
    when_how: str


def _day(value: datetime | None) -> str:
    return value.strftime("%d %b %Y %H:%M") if value else "unknown"


def _finding_row(f: ShownFinding, category: str, sha: dict[str, str]) -> tuple[str, ...]:
    m = f.message
    reason = ""
    if category == SENSITIVE:
        reason = "police information (PNC, intelligence or custody details)"
    return (f"Message {m.id} ({f.category}, {f.severity}); sender {m.sender.label}",
            _day(m.when), m.exhibit_reference, m.source, sha.get(m.exhibit_reference, ""),
            category, reason)


def schedule(content: BundleContent) -> list[ScheduleItem]:
    """The schedule's items in order: exhibits, relied-on messages, unused material."""
    sha = {e.reference: e.sha256 for e in content.exhibits}
    relied_from = {r.finding.message.exhibit_reference for r in content.relied_on}
    rows: list[tuple[str, ...]] = []
    for e in content.exhibits:
        rows.append((f"Exhibit {e.reference}: {e.format} export, {e.messages} dated messages",
                     f"{_day(e.first)} to {_day(e.last)}", e.reference, e.name, e.sha256,
                     RELIED_ON if e.reference in relied_from else UNUSED, ""))
    rows += [_finding_row(r.finding, RELIED_ON, sha) for r in content.relied_on]
    for f in content.unused:
        sensitive = f.category in SENSITIVE_CATEGORIES
        rows.append(_finding_row(f, SENSITIVE if sensitive else UNUSED, sha))
    if content.withheld:
        rows.append((f"{content.withheld} messages outside the authorised scope (not examined)",
                     "outside the scope's dates or conversations", "all exhibits", "", "",
                     SENSITIVE, "private life of people not under investigation (Article 8); "
                     "not examined"))
    when = f"{content.produced_at:%d %b %Y %H:%M}, evidential bundle {content.reference} (PDF)"
    return [_item(n, row, content.recipient, when) for n, row in enumerate(rows, start=1)]


def _item(number: int, row: tuple[str, ...], recipient: str, when: str) -> ScheduleItem:
    description, dates, exhibit, location, sha, category, reason = row
    shown = category != SENSITIVE
    return ScheduleItem(number, description, dates, exhibit, location, sha, category, reason,
                        "yes: bystanders pseudonymised" if shown else "not disclosed",
                        recipient if shown else "", when if shown else "")
