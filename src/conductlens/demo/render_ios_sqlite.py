"""Render the scenario as a WhatsApp **iOS** ``ChatStorage.sqlite`` (Core Data store).

No public fixture of this database exists, so this one documents exactly what it holds.

* ``ZWACHATSESSION``: one row (``Z_PK`` 1), ``ZCONTACTJID`` the group JID, ``ZPARTNERNAME``
  the current subject, ``ZSESSIONTYPE`` 1 (group; 0 would be a one-to-one chat),
  ``ZGROUPINFO`` -> ``ZWAGROUPINFO``.
* ``ZWAMESSAGE``: ``Z_PK`` = scenario ``seq`` + 1 (``Z_PK`` 1 is the encryption banner),
  ``ZSORT`` = ``Z_PK``; ``ZMESSAGEDATE``/``ZSENTDATE`` are seconds since 2001-01-01 UTC
  (REAL); ``ZSTANZAID`` equals the Android ``key_id``.  Received: ``ZISFROMME`` 0,
  ``ZFROMJID`` the group JID, ``ZGROUPMEMBER`` -> ``ZWAGROUPMEMBER``; own: ``ZISFROMME`` 1,
  ``ZTOJID`` the group JID.  ``ZPUSHNAME`` is the sender's push name as plain text.
  ``ZMESSAGESTATUS`` 0 system, 6 received, 8 own (read).
* ``ZMESSAGETYPE``: 0 text, 1 image (caption in ``ZWAMEDIAITEM.ZTITLE``, ``ZTEXT`` NULL),
  6 group event, 10 notice (encryption banner), 14 deleted for everyone
  (``ZTEXT`` NULL).
* ``ZGROUPEVENTTYPE`` with type 6 (``ZGROUPMEMBER`` is the member affected): 12 created
  (``ZTEXT`` subject, member = creator), 1 subject changed (``ZTEXT`` new subject, member =
  who changed it), 2 added (``ZTEXT`` the adder's JID), 15 joined by invite link, 3 left,
  7 removed (``ZTEXT`` the remover's JID), 9 number changed (member = the old-number row,
  ``ZTEXT`` the new JID).  With type 10: 2 encryption banner.  Codes follow IPED's
  ExtractorIOS decoder; subject-change code 1 is the demo's reading of it.
* Replies: ``ZPARENTMESSAGE`` -> the quoted message's ``Z_PK`` (real iOS keeps quote context
  in ``ZWAMEDIAITEM.ZMETADATA``; the demo uses the simpler link).  Edited messages hold the
  final ``ZTEXT`` and have bit ``EDITED_FLAG`` set in ``ZFLAGS`` (demo convention).
* Reactions: as on real phones, in ``ZWAMESSAGEINFO.ZRECEIPTINFO`` (``ZWAMESSAGE.ZMESSAGEINFO``
  points to it): a protobuf whose field 7 holds field-1 entries ``{2: sender JID, 3: emoji,
  4: ms since epoch (varint)}`` for other people and field-2 entries ``{2: emoji, 3: ms}``
  for the owner.
* ``ZWAGROUPMEMBER``: one row per member *number* (the officer who changed number has two);
  ``ZCONTACTNAME``/``ZFIRSTNAME`` the address-book name (NULL if unsaved), ``ZISACTIVE`` 1
  for current members, ``ZISADMIN`` for the two sergeants.  The owner has no row.
  ``ZWAPROFILEPUSHNAME`` maps every JID to its push name.
"""

from __future__ import annotations

import plistlib
import sqlite3
from pathlib import Path

from conductlens.demo import _ios_rows
from conductlens.demo._ios_schema import ENTITIES, TABLES

EDITED_FLAG = _ios_rows.EDITED_FLAG
STORE_UUID = "5A1F0C3E-7B2D-4E8A-9C61-0D3B2F4A6E10"


def _metadata(conn: sqlite3.Connection) -> None:
    plist = plistlib.dumps(
        {
            "NSPersistenceFrameworkVersion": 1338,
            "NSStoreModelVersionIdentifiers": ["WhatsApp"],
            "NSStoreType": "SQLite",
            "NSStoreUUID": STORE_UUID,
            "ConductLensDemo": "fictional data",
        },
        fmt=plistlib.FMT_BINARY,
    )
    conn.execute("INSERT INTO Z_METADATA VALUES (1, ?, ?)", (STORE_UUID, plist))
    for ent, name, table in ENTITIES:
        count = conn.execute(f"SELECT COALESCE(MAX(Z_PK), 0) FROM {table}").fetchone()[0]
        conn.execute("INSERT INTO Z_PRIMARYKEY VALUES (?, ?, 0, ?)", (ent, name, count))


def write_chatstorage(scenario: _ios_rows.Scenario, path: Path) -> Path:
    """Write ``ChatStorage.sqlite`` to ``path`` (replacing any existing file)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    with conn:
        for statement in TABLES:
            conn.execute(statement)
        _ios_rows.fill(conn, scenario)
        _metadata(conn)
    conn.close()
    return path
