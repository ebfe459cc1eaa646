"""The evidential bundle: ``bundle.html``, ``bundle.pdf`` (WeasyPrint) and ``manifest.json``.

``write_bundle`` gathers the content through the review door, renders one HTML document
(page numbers and the bundle reference on every printed page, from CSS ``@page`` rules),
prints it to PDF with Debian's fonts, writes a manifest of every file's SHA-256 (and of the
names approved for the recipient that it shows) and records the bundle as a disclosure
(``disclosure.bundle``) naming the recipient and those approvals. ``verify_bundle``
names every file that changed, went missing or was added.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine, func, select

from conductlens.errors import ConductLensError
from conductlens.report.bundle_content import BundleContent, gather
from conductlens.report.disclosure import schedule
from conductlens.review import audit, cases, scope
from conductlens.review.accounts import User
from conductlens.store.tables_review import audit_events

FILES = ("bundle.html", "bundle.pdf")
MANIFEST = "manifest.json"
_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True, slots=True)
class BundleResult:
    reference: str
    folder: Path
    files: dict[str, str]  # name -> sha256
    relied_on: int
    schedule_items: int
    names_approved: tuple[str, ...] = ()  # pseudonyms shown by name for the recipient
    scope_id: int | None = None  # the scope it was made under (in the manifest as "scope")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reference(engine: Engine, case_id: int) -> str:
    with engine.connect() as conn:
        ref = cases.find_case(conn, case_id).reference
        made = conn.scalar(select(func.count()).where(
            audit_events.c.case_id == case_id,
            audit_events.c.action == "disclosure.bundle")) or 0
    return f"{ref}-B{int(made) + 1:02d}"


def render_html(content: object, items: object) -> str:
    return _ENV.get_template("bundle.html").render(c=content, schedule=items)


def write_bundle(engine: Engine, user: User, case_id: int, recipient: str, folder: Path
                 ) -> BundleResult:
    """Write the bundle for ``recipient`` into ``folder`` (created; must be empty)."""
    if not recipient.strip():
        raise ConductLensError("--recipient: a bundle is disclosed to someone: name them")
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise ConductLensError(f"{folder}: the output folder must be empty")
    before = _scope_in_force(engine, case_id)
    content = gather(engine, user, case_id, recipient.strip(), _reference(engine, case_id))
    if content.scope_id != before:  # its reads straddle two scopes: it holds neither's alone
        raise ConductLensError("the authorised scope changed while the bundle was being made; "
                               "make it again")
    items = schedule(content)
    html = render_html(content, items)
    (folder / "bundle.html").write_text(html, encoding="utf-8")
    from weasyprint import HTML

    HTML(string=html, base_url=str(folder)).write_pdf(folder / "bundle.pdf")
    files = {name: _sha256(folder / name) for name in FILES}
    manifest = {"files": files, "bundle_reference": content.reference,
                "case": content.case.reference, "recipient": content.recipient,
                "produced_by": content.produced_by,
                "produced_at": content.produced_at.isoformat(timespec="seconds"),
                "exhibits": {e.reference: e.sha256 for e in content.exhibits},
                "names_approved": _approvals(content), "scope": content.scope_id}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _record(engine, user, case_id, content, files)
    return BundleResult(content.reference, folder, files, len(content.relied_on), len(items),
                        tuple(a.pseudonym for a in content.approvals), content.scope_id)


def _scope_in_force(engine: Engine, case_id: int) -> int | None:
    """The id of the scope in force now: a replaced scope is never in force again, so the
    same id before and after the bundle's reads means every read was under that scope."""
    with engine.connect() as conn:
        found = scope.current(conn, case_id)
    return found.id if found else None


def _approvals(content: BundleContent) -> list[dict[str, object]]:
    """The approvals the bundle applied: which pseudonyms it names, on whose decision."""
    return [{"approval": a.id, "pseudonym": a.pseudonym, "reason": a.reason,
             "proposed_by": a.proposed_by, "approved_by": a.decided_by,
             "approved_at": a.decided_at.isoformat(timespec="seconds") if a.decided_at
             else None} for a in content.approvals]


def _record(engine: Engine, user: User, case_id: int, content: BundleContent,
            files: dict[str, str]) -> None:
    with engine.begin() as conn:
        audit.append(conn, audit.AuditEvent(
            user.username, "disclosure.bundle", case_id,
            {"finding": [r.finding.id for r in content.relied_on],
             "recipient_name": [a.id for a in content.approvals]},
            f"evidential bundle {content.reference} disclosed to {content.recipient}",
            {"recipient": content.recipient, "bundle": content.reference,
             "how": "PDF and HTML bundle", "files": files,
             "names_approved": [a.pseudonym for a in content.approvals]}))


def verify_bundle(folder: Path) -> list[str]:
    """Every difference between ``folder`` and its manifest (empty when intact)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed: dict[str, str] = dict(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{folder / MANIFEST}: unreadable manifest ({exc.__class__.__name__})"]
    problems = []
    for name, sha in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _sha256(path) != sha:
            problems.append(f"{name}: changed (sha256 differs from the manifest)")
    extra = sorted(p.name for p in folder.iterdir() if p.name not in listed
                   and p.name != MANIFEST)
    problems += [f"{name}: not in the manifest" for name in extra]
    return problems
