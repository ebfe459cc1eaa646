"""Hash lists a force curates: known offensive memes, leaked custody and scene photos, images
from earlier cases, and (from the specialist team) child-abuse lists that seal what matches.

The CSV contract (``conductlens hashes import``): a header ``hash_type,hash[,category,source]``
(an export adds ``list,added_by,added_at``, which import accepts and ignores); ``hash_type`` is
one of pdq, md5, sha1, sha256; hashes are hex (pdq 64 digits). A bad row stops the import with
``FILE:LINE: field: reason`` and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, RowMapping, insert, select

from conductlens.errors import ConductLensError
from conductlens.review._ids import inserted_id
from conductlens.store.tables_images import hash_entries, hash_lists

HASH_LENGTHS = {"pdq": 64, "md5": 32, "sha1": 40, "sha256": 64}
REQUIRED = ("hash_type", "hash")
OPTIONAL = ("category", "source")
INFORMATIONAL = ("list", "added_by", "added_at")  # written by export, ignored by import
EXPORT_HEADER = (*REQUIRED, *OPTIONAL, *INFORMATIONAL)
DEFAULT_CATEGORY = "known-image"
# Categories that mean "suspected indecent image of a child": a match seals the item.
SEALING_CATEGORIES = frozenset({"child-abuse", "csam", "iioc"})
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class Entry:
    hash_type: str
    hash: str
    category: str
    source: str | None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    list_name: str
    read: int
    added: int
    already_held: int


def read_csv(path: Path, default_category: str | None) -> list[Entry]:
    """Every row of a hash-list CSV, checked; raises on the first bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConductLensError(f"{path}: cannot read as UTF-8 text: {exc}") from exc
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(rows, [])]
    _check_header(path, header)
    entries = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        entries.append(_entry(path, line, dict(zip(header, row, strict=False)), len(row),
                              len(header), default_category))
    return entries


def _check_header(path: Path, header: list[str]) -> None:
    if tuple(header[:2]) != REQUIRED:
        raise ConductLensError(f"{path}:1: header: must start with hash_type,hash")
    unknown = [h for h in header[2:] if h not in OPTIONAL + INFORMATIONAL]
    if unknown or len(set(header)) != len(header):
        raise ConductLensError(
            f"{path}:1: header: unknown or repeated column(s) {', '.join(unknown) or header}")


def _entry(path: Path, line: int, cells: dict[str, str], width: int, expected: int,
           default_category: str | None) -> Entry:
    where = f"{path}:{line}"
    if width != expected:
        raise ConductLensError(f"{where}: row has {width} fields, header has {expected}")
    kind = cells["hash_type"].strip().lower()
    if kind not in HASH_LENGTHS:
        raise ConductLensError(f"{where}: hash_type: {kind!r} is not one of pdq, md5, sha1, sha256")
    value = cells["hash"].strip().lower()
    if len(value) != HASH_LENGTHS[kind] or not set(value) <= _HEX:
        raise ConductLensError(
            f"{where}: hash: a {kind} hash is {HASH_LENGTHS[kind]} hex digits, got {value!r}")
    category = (cells.get("category") or "").strip().lower() or default_category
    source = (cells.get("source") or "").strip() or None
    return Entry(kind, value, category or DEFAULT_CATEGORY, source)


def import_entries(conn: Connection, list_name: str, entries: list[Entry], user: str
                   ) -> ImportSummary:
    """Add ``entries`` to the list (created if new); hashes it already holds are kept as are."""
    if not list_name.strip():
        raise ConductLensError("a hash list needs a name (--list)")
    list_id = _list_id(conn, list_name.strip(), user)
    held = {(k, h) for k, h in conn.execute(select(hash_entries.c.hash_type, hash_entries.c.hash)
                                            .where(hash_entries.c.list_id == list_id))}
    now = datetime.now(UTC)
    fresh: dict[tuple[str, str], Entry] = {}
    for e in entries:
        if (e.hash_type, e.hash) not in held:
            fresh.setdefault((e.hash_type, e.hash), e)
    if fresh:
        conn.execute(insert(hash_entries), [
            {"list_id": list_id, "hash_type": e.hash_type, "hash": e.hash,
             "category": e.category, "source": e.source, "added_by": user, "added_at": now}
            for e in fresh.values()])
    return ImportSummary(list_name.strip(), len(entries), len(fresh), len(entries) - len(fresh))


def _list_id(conn: Connection, name: str, user: str) -> int:
    found = conn.scalar(select(hash_lists.c.id).where(hash_lists.c.name == name))
    if found is not None:
        return int(found)
    return inserted_id(conn.execute(insert(hash_lists).values(
        name=name, created_by=user, created_at=datetime.now(UTC))))


def list_rows(conn: Connection, list_name: str | None) -> Iterator[RowMapping]:
    """Every entry (with its list's ``name``) of one list, or of every list."""
    query = (select(hash_entries, hash_lists.c.name)
             .join(hash_lists, hash_lists.c.id == hash_entries.c.list_id)
             .order_by(hash_lists.c.name, hash_entries.c.id))
    if list_name is not None:
        if conn.scalar(select(hash_lists.c.id).where(hash_lists.c.name == list_name)) is None:
            raise ConductLensError(f"no hash list named {list_name!r}")
        query = query.where(hash_lists.c.name == list_name)
    yield from conn.execute(query).mappings()


def export_rows(conn: Connection, list_name: str | None) -> Iterator[list[str]]:
    """The CSV rows (header first) of one list, or of every list."""
    yield list(EXPORT_HEADER)
    for r in list_rows(conn, list_name):
        yield [r["hash_type"], r["hash"], r["category"], r["source"] or "", r["name"],
               r["added_by"], r["added_at"].isoformat()]


def list_names(conn: Connection) -> list[tuple[str, int]]:
    """(list name, entries) for every list."""
    from sqlalchemy import func
    rows = conn.execute(select(hash_lists.c.name, func.count(hash_entries.c.id))
                        .select_from(hash_lists.outerjoin(hash_entries))
                        .group_by(hash_lists.c.name).order_by(hash_lists.c.name))
    return [(str(n), int(c)) for n, c in rows]
