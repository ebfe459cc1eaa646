"""Importing the vetting register from CSV: good rows kept, every bad row reported.

Columns: ``staff_number, name, force`` (required), ``team, role``, then the identifier as
``kind, identifier, declared_on`` (one per row; repeat the person's columns for each) or,
as before 0019, an ``identifiers`` cell of ``kind:value`` (or ``kind:platform:value``)
items separated by ``;``, all dated ``declared_on``. Each row is written whole or not at
all; a row that fails is reported in one line naming its line and field, and the rest go
on. Nothing is dropped without a line saying so.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, Engine, select, update

from conductlens.errors import ConductLensError
from conductlens.review import audit, register
from conductlens.review.identifiers import DEFAULT_REGION, KINDS, PHONE_KINDS
from conductlens.store.tables_review import people

REQUIRED = ("staff_number", "name", "force")
COLUMNS = (*REQUIRED, "team", "role", "kind", "identifier", "declared_on")
# Old ``identifiers`` cells name a platform; these are the kinds they now are.
_OLD_PLATFORMS = {"messenger": "facebook"}


class RowError(ConductLensError):
    def __init__(self, field_name: str, message: str) -> None:
        self.field_name = field_name
        super().__init__(message)


@dataclass
class ImportReport:
    rows: int = 0
    people_added: int = 0
    people_updated: int = 0
    identifiers_added: int = 0
    identifiers_known: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{_n(self.rows, 'row')} read: {_n(self.people_added, 'person', 'people')} "
                f"added, {self.people_updated} updated; "
                f"{_n(self.identifiers_added, 'identifier')} added, "
                f"{self.identifiers_known} already held; {_n(len(self.errors), 'row')} refused")


def _n(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RowError("declared_on", f"{text.strip()!r} is not a date (use YYYY-MM-DD)"
                       ) from None


def _old_item(item: str) -> tuple[str, str]:
    """One item of an ``identifiers`` cell as (kind, value)."""
    parts = [p.strip() for p in item.split(":", 2)]
    old, platform = parts[0].casefold(), parts[1].casefold() if len(parts) > 1 else ""
    if len(parts) == 3 and old in ("phone", "username", "email") and platform.isalnum():
        # Before 0019, kind:platform:value; the platform is now the kind where it names one.
        mapped = _OLD_PLATFORMS.get(platform, platform)
        if old == "email":
            return "email", parts[2]
        if mapped in KINDS and (old == "username" or mapped in PHONE_KINDS):
            return mapped, parts[2]
        if old == "phone":
            return "phone", parts[2]
        raise RowError("identifiers", f"{item!r}: no identifier kind for {platform!r} "
                                      f"(use {', '.join(KINDS)})")
    kind, _, value = item.partition(":")
    return kind.strip().casefold(), value.strip()


def _old_cell(cell: str) -> list[tuple[str, str]]:
    """``whatsapp:07700 900001; telegram:@bob`` (or ``phone:whatsapp:...``) -> pairs."""
    out = []
    for item in filter(None, (p.strip() for p in cell.split(";"))):
        kind, value = _old_item(item)
        if kind not in KINDS:
            raise RowError("identifiers", f"{item!r}: unknown kind {kind!r} "
                                          f"(use {', '.join(KINDS)})")
        if not value:
            raise RowError("identifiers", f"{item!r} is not kind:value")
        out.append((kind, value))
    return out


def _person(conn: Connection, row: dict[str, str], report: ImportReport) -> int:
    staff = row["staff_number"]
    for name in REQUIRED:
        if not row[name]:
            raise RowError(name, "is empty")
    found = conn.execute(select(people).where(people.c.staff_number == staff)).mappings().first()
    if found is None:
        report.people_added += 1
        return register.add_person(conn, staff, row["name"], row["force"], row.get("team"),
                                   row.get("role"))
    for name in ("name", "force"):
        if found[name] != row[name]:
            raise RowError(name, f"staff number {staff} is {found[name]!r} in the register, "
                                 f"not {row[name]!r}")
    changes = {k: row[k] for k in ("team", "role") if row.get(k) and row[k] != found[k]}
    if changes:
        conn.execute(update(people).where(people.c.id == found["id"]).values(**changes))
        report.people_updated += 1
    return int(found["id"])


def _identifiers(row: dict[str, str]) -> list[tuple[str, str]]:
    pairs = _old_cell(row.get("identifiers") or "")
    kind, value = (row.get("kind") or "").casefold(), row.get("identifier") or ""
    if kind and not value:
        raise RowError("identifier", f"is empty but kind is {kind!r}")
    if value and not kind:
        raise RowError("kind", f"is empty (use {', '.join(KINDS)})")
    if kind:
        pairs.append((kind, value))
    return pairs


def _row(conn: Connection, row: dict[str, str], report: ImportReport, region: str) -> None:
    declared_on = _date(row.get("declared_on") or "")
    pairs = _identifiers(row)
    pid = _person(conn, row, report)
    field_name = "identifier" if row.get("kind") else "identifiers"
    for kind, value in pairs:
        try:
            outcome = register.declare(conn, pid, kind, value, declared_on, region)
        except ConductLensError as exc:
            raise RowError("kind" if str(exc).startswith("unknown identifier kind")
                           else field_name, str(exc)) from None
        if outcome == "added":
            report.identifiers_added += 1
        else:
            report.identifiers_known += 1


def import_csv(engine: Engine, data: str, actor: str,
               region: str = DEFAULT_REGION) -> ImportReport:
    """Import people and identifiers from CSV text; audited. A file without the required
    columns is refused whole; otherwise bad rows are reported and good rows kept."""
    reader = csv.DictReader(io.StringIO(data))
    header = [h.strip().casefold() for h in reader.fieldnames or ()]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ConductLensError(f"register CSV line 1: missing column(s) {', '.join(missing)}")
    reader.fieldnames = header
    report = ImportReport()
    with engine.begin() as conn:
        for raw in reader:
            line = reader.line_num
            report.rows += 1
            if None in raw:
                report.errors.append(f"line {line}: more fields than the header names")
                continue
            row = {k: (v or "").strip() for k, v in raw.items()}
            saved = (report.people_added, report.people_updated, report.identifiers_added,
                     report.identifiers_known)
            try:
                with conn.begin_nested():
                    _row(conn, row, report, region)
            except RowError as exc:
                (report.people_added, report.people_updated, report.identifiers_added,
                 report.identifiers_known) = saved
                report.errors.append(f"line {line}, field {exc.field_name}: {exc}")
        audit.append(conn, audit.AuditEvent(actor, "register.import", detail={
            "rows": report.rows, "people_added": report.people_added,
            "people_updated": report.people_updated,
            "identifiers_added": report.identifiers_added, "refused": len(report.errors)}))
    return report
