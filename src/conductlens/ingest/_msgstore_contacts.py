"""Who is who in an Android msgstore.db: JIDs, LID mapping, names from wa.db.

Participant keys are bare JID strings (``447700900123@s.whatsapp.net``). Newer databases
address people by LID (``123456789@lid``); ``jid_map`` links a LID to the phone JID, and
the phone JID is then used as the key so one person has one key. The phone owner is the
fixed key ``owner``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from conductlens.ingest._msgstore_sqlite import (
    Schema,
    bare_jid,
    open_readonly,
    phone_from_jid,
)
from conductlens.model import Participant

OWNER = "owner"
OWNER_NAME = "Phone owner"


class JidBook:
    """Maps jid row ids and JID strings to participant keys and names."""

    def __init__(self, conn: sqlite3.Connection, schema: Schema, names: dict[str, str]) -> None:
        self.raw: dict[int, str] = _load_jids(conn, schema) if "jid" in schema.tables else {}
        self._lid_to_phone: dict[int, int] = _load_pairs(
            conn, schema, "jid_map", "lid_row_id", "jid_row_id"
        )
        self._names = dict(names)
        for lid_row, name in _load_lid_names(conn, schema).items():
            self._names.setdefault(self._key_of_row(lid_row) or "", name)
        self.owner_jid: str | None = None
        self.owner_name: str | None = None
        self._yielded: set[str] = set()

    def _key_of_row(self, row_id: int) -> str | None:
        mapped = self._lid_to_phone.get(row_id)
        raw = self.raw.get(mapped) if mapped is not None else None
        raw = raw or self.raw.get(row_id)
        return bare_jid(raw) if raw else None

    def key_for_row(self, row_id: object) -> str | None:
        """Participant key for a ``jid._id`` (LID mapped to phone JID where known)."""
        if not isinstance(row_id, int) or row_id <= 0:
            return None
        return self.key_for_jid(self._key_of_row(row_id))

    def key_for_jid(self, jid: str | None) -> str | None:
        """Participant key for a JID string; the owner's own JID becomes ``owner``."""
        if not jid or jid == "-1":
            return None
        key = bare_jid(jid)
        return OWNER if self.owner_jid and key == self.owner_jid else key

    def name(self, key: str | None) -> str:
        """A readable name for system-message text."""
        if key is None:
            return "someone"
        if key == OWNER:
            return self.owner_name or OWNER_NAME
        return self._names.get(key) or phone_from_jid(key) or key.partition("@")[0]

    def contact_name(self, key: str) -> str | None:
        """The stored name of ``key`` (address book, push name, business or LID name)."""
        return self._names.get(key)

    def owner(self) -> Participant:
        """The phone owner as a participant record."""
        phone = phone_from_jid(self.owner_jid) if self.owner_jid else None
        return Participant(
            key=OWNER, name=self.owner_name or OWNER_NAME, phone=phone,
            platform_id=self.owner_jid, is_owner=True,
        )

    def introduce(self, *keys: str | None) -> Iterator[Participant]:
        """Participant records for keys not yet yielded (call before using a key)."""
        for key in keys:
            if key is None or key in self._yielded:
                continue
            self._yielded.add(key)
            if key == OWNER:
                yield self.owner()
                continue
            yield Participant(
                key=key, name=self._names.get(key), phone=phone_from_jid(key), platform_id=key
            )


def _load_jids(conn: sqlite3.Connection, schema: Schema) -> dict[int, str]:
    cols = schema.columns("jid")
    if "raw_string" in cols:
        sql = "SELECT _id, raw_string, user, server FROM jid"
    else:
        sql = "SELECT _id, NULL AS raw_string, user, server FROM jid"
    out: dict[int, str] = {}
    for row in conn.execute(sql):
        raw = row["raw_string"] or (f"{row['user']}@{row['server']}" if row["server"] else None)
        if raw:
            out[int(row["_id"])] = str(raw)
    return out


def _load_pairs(
    conn: sqlite3.Connection, schema: Schema, table: str, key: str, value: str
) -> dict[int, int]:
    if not schema.has(table, key, value):
        return {}
    rows = conn.execute(f'SELECT "{key}", "{value}" FROM "{table}"')
    return {int(k): int(v) for k, v in rows if isinstance(k, int) and isinstance(v, int)}


def _load_lid_names(conn: sqlite3.Connection, schema: Schema) -> dict[int, str]:
    if not schema.has("lid_display_name", "lid_row_id", "display_name"):
        return {}
    rows = conn.execute("SELECT lid_row_id, display_name FROM lid_display_name")
    return {int(k): str(v) for k, v in rows if isinstance(k, int) and v}


def load_wa_db(path: Path | None) -> dict[str, str]:
    """Names by bare JID from ``wa.db`` (address book name, else push name, else business)."""
    if path is None or not path.is_file():
        return {}
    conn = open_readonly(path)
    try:
        schema = Schema(conn, str(path))
        names = _verified_names(conn, schema)
        if schema.has("wa_contacts", "jid"):
            names.update(_contact_names(conn, schema))
        return names
    finally:
        conn.close()


def _contact_names(conn: sqlite3.Connection, schema: Schema) -> dict[str, str]:
    cols = [c for c in ("display_name", "wa_name") if c in schema.columns("wa_contacts")]
    if not cols:
        return {}
    names: dict[str, str] = {}
    for row in conn.execute(f"SELECT jid, {', '.join(cols)} FROM wa_contacts"):
        name = next((row[c] for c in cols if row[c]), None)
        if row["jid"] and name:
            names[bare_jid(str(row["jid"]))] = str(name)
    return names


def _verified_names(conn: sqlite3.Connection, schema: Schema) -> dict[str, str]:
    if not schema.has("wa_vnames", "jid", "verified_name"):
        return {}
    rows = conn.execute("SELECT jid, verified_name FROM wa_vnames")
    return {bare_jid(str(j)): str(n) for j, n in rows if j and n}
