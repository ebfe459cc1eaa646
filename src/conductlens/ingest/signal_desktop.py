"""Signal Desktop's database after decryption (``db.sqlite`` exported as plaintext).

Signal Desktop keeps its messages in a SQLCipher-encrypted ``sql/db.sqlite``; forensic tools
(or ``sqlcipher`` with the key from ``config.json``/the OS keychain) produce a plaintext copy.
We read that copy read-only: ``conversations`` and ``messages`` (each row's ``json`` column).
Give the folder (``Signal/`` with ``attachments.noindex/``) to have attachments hashed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import ClassVar
from urllib.parse import quote

from conductlens.errors import ParseError
from conductlens.ingest._export_files import ExportTree, e164
from conductlens.ingest._signal_messages import SignalContext, convert_row
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.limits import interrupted, time_budget
from conductlens.model import Conversation, Participant, Record, SourceRef

_SQLITE = b"SQLite format 3\x00"
_DB_NAMES = ("db.sqlite", "plaintext.db", "db.sqlite.decrypted", "signal.db")
_NEED = {"conversations", "messages"}


class SignalDesktop:
    """Decrypted Signal Desktop database (file, or the Signal folder holding it)."""

    name: ClassVar[str] = "signal-desktop"
    description: ClassVar[str] = "Signal Desktop database, decrypted (db.sqlite / plaintext.db)"

    def sniff(self, source: Source) -> float:
        """High for a SQLite file with Signal's conversations/messages(json) tables."""
        if source.kind == "file":
            return 0.95 if _is_signal_db(source.path) else 0.0
        if source.kind == "dir" and _find_db(source) is not None:
            return 0.9
        return 0.0

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream participants, conversations, then every message in sent order."""
        db_member = "" if source.kind == "file" else _find_db(source)
        if source.kind == "zip":
            raise ParseError(str(source.path), "a Signal database inside a zip cannot be "
                             "opened read-only; extract the zip and ingest the folder")
        if db_member is None:
            raise ParseError(str(source.path), "no decrypted Signal database in the folder")
        path = source.path / db_member if db_member else source.path
        _check_header(path)
        db = _connect(path)
        try:
            yield from _parse_db(db, source, db_member)
        except sqlite3.DatabaseError as exc:
            refusal = interrupted(exc, str(path))
            raise refusal or ParseError(str(path), f"damaged SQLite database: {exc}") from exc
        finally:
            db.close()


def _check_header(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != _SQLITE:
        raise ParseError(str(path), "not a plain SQLite database (Signal's db.sqlite is "
                         "encrypted with SQLCipher: decrypt it first, then ingest the copy)")


def _connect(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True)
    time_budget(conn, str(path))
    return conn


def _is_signal_db(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            if fh.read(16) != _SQLITE:
                return False
        db = _connect(path)
        try:
            return _has_schema(db)
        finally:
            db.close()
    except (OSError, sqlite3.Error):
        return False


def _has_schema(db: sqlite3.Connection) -> bool:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables >= _NEED:
        return False
    columns = {r[1] for r in db.execute("PRAGMA table_info(messages)")}
    return {"json", "conversationId"} <= columns


def _find_db(source: Source) -> str | None:
    candidates = [m for m in source.members if PurePosixPath(m).name in _DB_NAMES]
    for member in sorted(candidates, key=lambda m: (m.count("/"), m)):
        if _is_signal_db(source.path / member):
            return member
    return None


def _parse_db(db: sqlite3.Connection, source: Source, db_member: str) -> Iterator[Record]:
    if not _has_schema(db):
        raise ParseError(str(source.path), "SQLite database without Signal's conversations/"
                         "messages(json) tables")
    tree = ExportTree(source)
    owner_id = _owner_service_id(db)
    people: dict[str, str] = {}
    owner: str | None = None
    convs = list(_conversations(db, db_member))
    for _conv, participant, ids in convs:
        if participant is not None:
            people.update(dict.fromkeys(ids, participant.key))
            if owner_id is not None and owner_id in ids:
                owner = participant.key
    for conv, participant, _ in convs:
        if participant is not None:
            yield Participant(
                key=participant.key, name=participant.name, phone=participant.phone,
                platform_id=participant.platform_id, is_owner=participant.key == owner,
            )
        yield conv
    ctx = SignalContext(db=db, db_member=db_member, tree=tree,
                        attachments_dir=_attachments_dir(db_member, tree), people=people,
                        owner=owner)
    rows = db.execute("SELECT rowid, json FROM messages ORDER BY sent_at, rowid")
    for row_id, text in rows:
        yield from convert_row(row_id, text, ctx)


def _owner_service_id(db: sqlite3.Connection) -> str | None:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "items" not in tables:
        return None
    row = db.execute("SELECT json FROM items WHERE id = 'uuid_id'").fetchone()
    try:
        value = json.loads(row[0]).get("value") if row else None
    except (json.JSONDecodeError, AttributeError):
        return None
    # Stored as "<serviceId>.<deviceId>".
    return value.rsplit(".", 1)[0] if isinstance(value, str) else None


def _conversations(
    db: sqlite3.Connection, db_member: str
) -> Iterator[tuple[Conversation, Participant | None, list[str]]]:
    cols = {r[1] for r in db.execute("PRAGMA table_info(conversations)")}
    wanted = ["id", "json", "type", "name", "profileFullName", "e164", "serviceId", "uuid"]
    select = ", ".join(c if c in cols else f"NULL AS {c}" for c in wanted)
    for row in db.execute(f"SELECT rowid, {select} FROM conversations"):  # noqa: S608
        rowid, cid, text, ctype, name, profile, phone, service, uuid = row
        extra = _json_object(text)
        title = _first_str(name, profile, extra.get("name"), extra.get("profileFullName"), phone)
        conv = Conversation(
            key=str(cid), platform="signal", title=title, is_group=ctype == "group",
            source=SourceRef(path=db_member, table="conversations", row_id=str(rowid)),
        )
        if ctype == "group":
            yield conv, None, []
            continue
        service_id = service or uuid or extra.get("serviceId") or extra.get("uuid")
        number = _first_str(phone, extra.get("e164"))
        ids = [str(cid), *(v for v in (service_id, number) if isinstance(v, str) and v)]
        person = Participant(key=str(cid), name=title, phone=e164(number),
                             platform_id=service_id if isinstance(service_id, str) else None)
        yield conv, person, ids


def _first_str(*values: object) -> str | None:
    return next((v for v in values if isinstance(v, str) and v), None)


def _json_object(text: object) -> dict[str, object]:
    try:
        value = json.loads(text) if isinstance(text, str) and text else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _attachments_dir(db_member: str, tree: ExportTree) -> str | None:
    if tree.source.kind != "dir":
        return None
    parent = PurePosixPath(db_member).parent
    for folder in (parent, parent.parent):
        name = (folder / "attachments.noindex").as_posix().removeprefix("./")
        if any(m.startswith(name + "/") for m in tree.source.members):
            return name
    return None
