"""Bring one exhibit into the store: copy, hash the copy, recognise, parse, write, keep.

The original is read once, into a staging copy; everything after reads the copy (see
``store/evidence.py``). One exhibit is one transaction: if anything fails the store and the
exhibit folder are left as they were.
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.exc import DBAPIError

from conductlens.errors import ConductLensError, ParseError
from conductlens.ingest.base import ParseOptions, Parser, Source
from conductlens.ingest.limits import Limits, interrupted, using
from conductlens.ingest.registry import parser_named, pick_parser
from conductlens.store import Store, current_user, store_trouble
from conductlens.store import tables as t
from conductlens.store.evidence import Staged, keep, stage
from conductlens.store.groups import link_case, link_conversations, record_copies
from conductlens.store.writes import ExhibitWriter, inserted_id

Progress = Callable[[int], None]


@dataclass
class IngestSummary:
    """What one exhibit yielded; the shape of ``ingest --json``."""

    path: str
    sha256: str
    format: str
    reference: str
    conversations: int = 0
    messages: int = 0
    participants: int = 0
    membership_events: int = 0
    reactions: int = 0
    unparsed: int = 0
    warnings: list[str] = field(default_factory=list)
    duplicate: bool = False
    attached: bool = False  # bytes already held, now linked to one more case (not in JSON)

    def as_json(self) -> dict[str, object]:
        """The contract other tools rely on (keys must stay stable)."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "conversations": self.conversations,
            "messages": self.messages,
            "participants": self.participants,
            "membership_events": self.membership_events,
            "unparsed": self.unparsed,
            "warnings": self.warnings,
            "reference": self.reference,
            "reactions": self.reactions,
            "duplicate": self.duplicate,
        }


def parse_zone(name: str | None) -> ZoneInfo | None:
    """A ``--timezone`` value as a zone, or a clear error."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConductLensError(f"unknown time zone {name!r} (use e.g. Europe/London)") from exc


def _open_source(path: Path) -> Source:
    source = Source.open(path)
    if source.kind == "file" and not source.head:
        raise ParseError(str(path), "the file is empty")
    if source.kind == "dir" and not source.members:
        raise ParseError(str(path), "the folder is empty")
    return source


def _choose(source: Source, fmt: str | None) -> Parser:
    if fmt:
        return parser_named(fmt)
    try:
        return pick_parser(source)[0]
    except ConductLensError as exc:
        raise ParseError(str(source.path), str(exc)) from exc


def _existing(conn: Connection, sha: str, path: Path) -> IngestSummary | None:
    row = conn.execute(select(t.exhibits).where(t.exhibits.c.sha256 == sha)).mappings().first()
    if row is None:
        return None
    eid = row["id"]

    def count(table: Table) -> int:
        return int(conn.scalar(select(func.count()).where(table.c.exhibit_id == eid)) or 0)

    warnings = conn.scalars(
        select(t.exhibit_warnings.c.text).where(t.exhibit_warnings.c.exhibit_id == eid)
    ).all()
    return IngestSummary(
        path=str(path),
        sha256=sha,
        format=row["format"],
        reference=row["reference"],
        conversations=count(t.conversations),
        messages=count(t.messages),
        participants=count(t.participants),
        membership_events=count(t.membership_events),
        reactions=count(t.reactions),
        unparsed=count(t.unparsed),
        warnings=list(warnings),
        duplicate=True,
    )


def case_id(conn: Connection, reference: str | None) -> int | None:
    """The id of case ``reference``, creating the case on first use."""
    if not reference:
        return None
    found = conn.scalar(select(t.cases.c.id).where(t.cases.c.reference == reference))
    if found is not None:
        return int(found)
    result = conn.execute(insert(t.cases).values(reference=reference, created_at=datetime.now(UTC)))
    return inserted_id(result)


def _next_reference(conn: Connection) -> str:
    n = int(conn.scalar(select(func.count()).select_from(t.exhibits)) or 0) + 1
    return f"EXH-{n:05d}"


def ingest_path(
    store: Store,
    path: Path,
    *,
    case: str | None = None,
    fmt: str | None = None,
    timezone: str | None = None,
    locale: str | None = None,
    added_by: str | None = None,
    notes: str | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> IngestSummary:
    """Ingest one exhibit (file, zip or export folder) and return what it held."""
    zone = parse_zone(timezone)
    options = ParseOptions(locale=locale or "en-GB", timezone=zone)
    with using(limits or Limits()) as active:
        staged = stage(store.exhibit_dir, path, active)
        try:
            summary = _ingest_staged(store, staged, options, path, progress,
                                     {"case": case, "fmt": fmt, "timezone": timezone,
                                      "added_by": added_by, "notes": notes})
        except ConductLensError as exc:
            raise _renamed(exc, staged, path) from exc.__cause__
        except DBAPIError as exc:
            raise ConductLensError(f"{path}: not added: {store_trouble(exc)}") from None
        finally:
            staged.discard()
    return summary


def _ingest_staged(
    store: Store, staged: Staged, options: ParseOptions, path: Path,
    progress: Progress | None, given: dict[str, str | None],
) -> IngestSummary:
    source = _open_source(staged.path)
    source.origin = path
    parser = _choose(source, given["fmt"])
    sha = staged.sha256
    with store.writing() as conn:
        existing = _existing(conn, sha, path)
        if existing is not None:
            return _attach(conn, existing, given)
        reference = _next_reference(conn)
        exhibit_id = inserted_id(
            conn.execute(
                insert(t.exhibits).values(
                    reference=reference,
                    case_id=case_id(conn, given["case"]),
                    original_name=path.name,
                    sha256=sha,
                    size=staged.size,
                    format=parser.name,
                    stored_path="",
                    added_by=given["added_by"] or current_user(),
                    added_at=datetime.now(UTC),
                    timezone=given["timezone"],
                    locale=options.locale,
                    notes=given["notes"],
                )
            )
        )
        if given["case"]:
            link_case(conn, int(case_id(conn, given["case"]) or 0), exhibit_id,
                      given["added_by"] or current_user())
        writer = ExhibitWriter(conn, exhibit_id, parser.name, options.timezone,
                               relabel=lambda text: _plain(text, staged, path))
        _stream(parser, source, options, writer, progress)
        counts = writer.finish()
        if counts.messages == 0 and counts.conversations == 0:
            raise ParseError(str(staged.path), f"no messages found (read as {parser.name})")
        link_conversations(conn, exhibit_id)
        record_copies(conn, exhibit_id)
        stored = keep(store.exhibit_dir, staged)
        conn.execute(
            t.exhibits.update().where(t.exhibits.c.id == exhibit_id).values(stored_path=str(stored))
        )
    return IngestSummary(
        path=str(path),
        sha256=sha,
        format=parser.name,
        reference=reference,
        conversations=counts.conversations,
        messages=counts.messages,
        participants=counts.participants,
        membership_events=counts.membership_events,
        reactions=counts.reactions,
        unparsed=counts.unparsed,
        warnings=counts.warnings,
    )


def _attach(conn: Connection, held: IngestSummary, given: dict[str, str | None]) -> IngestSummary:
    """Bytes already held: link them to the case asked for (a duplicate only if already there)."""
    if not given["case"]:
        return held
    exhibit_id = int(conn.scalar(select(t.exhibits.c.id)
                                 .where(t.exhibits.c.reference == held.reference)) or 0)
    new_case = link_case(conn, int(case_id(conn, given["case"]) or 0), exhibit_id,
                         given["added_by"] or current_user())
    held.duplicate = not new_case
    held.attached = new_case
    return held


def _plain(text: str, staged: Staged, path: Path) -> str:
    """``text`` naming the original, not the staging copy the parser read."""
    return text.replace(str(staged.path), str(path))


def _renamed(exc: ConductLensError, staged: Staged, path: Path) -> ConductLensError:
    if isinstance(exc, ParseError):
        return ParseError(_plain(exc.path, staged, path), _plain(exc.reason, staged, path),
                          exc.line)
    return ConductLensError(_plain(str(exc), staged, path))


def _stream(
    parser: Parser,
    source: Source,
    options: ParseOptions,
    writer: ExhibitWriter,
    progress: Progress | None,
) -> None:
    try:
        for n, record in enumerate(parser.parse(source, options), start=1):
            writer.add(record)
            if progress is not None and n % 10000 == 0:
                progress(n)
    except ConductLensError:
        raise
    except sqlite3.OperationalError as exc:
        refusal = interrupted(exc, str(source.path))
        if refusal is not None:
            raise refusal from exc
        raise ParseError(str(source.path), f"could not be read as {parser.name}: {exc}") from exc
    except (
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        OSError,
        UnicodeError,
        sqlite3.Error,
        zipfile.BadZipFile,
    ) as exc:
        # A parser bug or a file shaped unlike anything we know: report, never a traceback.
        raise ParseError(str(source.path), f"could not be read as {parser.name}: {exc}") from exc
