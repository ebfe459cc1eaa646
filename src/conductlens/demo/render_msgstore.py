"""Render the scenario as a modern WhatsApp **Android** ``msgstore.db`` plus ``wa.db``.

Tables are created with the exact statements real databases use (see
:mod:`conductlens.demo._android_schema`); only the columns listed here are filled, the
rest stay NULL or at their defaults.

Rows and codes (as WhatsApp writes them, per public parsers and sample databases):

* ``jid``: group ``120363041726350914@g.us`` (type 1); each officer's phone JID
  ``447700900xxx@s.whatsapp.net`` (type 0), the changed number too; each officer's LID
  ``<15 digits>@lid`` (type 17), linked by ``jid_map(lid_row_id, jid_row_id)`` and named in
  ``lid_display_name`` with the officer's push name.
* ``chat``: one row (``_id`` 1) for the group; ``subject`` is the current name.
* ``message``: ``_id`` = scenario ``seq`` + 1 (``_id`` 1 is the encryption banner);
  ``sort_id`` = ``_id``; ``timestamp`` ms since the epoch (UTC); ``from_me`` 1 for the phone
  owner (then ``sender_jid_row_id`` 0), else the sender's phone JID row; ``key_id`` 32 hex
  digits (the same id is iOS ``ZSTANZAID``); ``status`` 13 (read) for own messages, 0 for
  received ones, 6 for system rows.
* ``message_type``: 0 text, 1 image (caption in ``text_data``, file in ``message_media``),
  7 system, 15 deleted for everyone (``text_data`` NULL, ``message_revoked`` row).
* ``message_system.action_type``: 1 subject changed (``text_data`` new subject,
  ``message_system_value_change.old_data`` old one), 5 left, 10 number changed
  (``message_system_number_change`` old/new JID rows), 11 group created (``text_data``
  subject), 12 added, 14 removed, 20 joined by invite link, 67 encryption banner.
  ``message_system_chat_participant`` names the member affected (added, removed, left,
  joined); ``message_system_group.is_me_joined`` is 1 on the row that added the owner.
  The actor is ``sender_jid_row_id``.
* Replies: ``message_quoted`` keyed by the reply's ``_id`` copies the parent's key, sender,
  type and text.  Edits: ``message_edit_info`` (``text_data`` holds the final text).
* Reactions: ``message_add_on`` rows with ``message_add_on_type`` 56 and
  ``parent_message_row_id``, plus ``message_add_on_reaction(reaction, sender_timestamp)``;
  the parent's ``message_add_on_flags`` is 1.
* ``group_participant_user``: members at the end (``rank`` 2 creator, 1 admin, 0 member);
  ``group_past_participant_user``: those who left (``is_leave`` 1) or were removed (0).
* ``props``: ``user_push_name`` of the owner.  ``wa.db`` ``wa_contacts``: one row per JID with
  ``display_name`` (the owner's address-book name, NULL when unsaved) and ``wa_name`` (push
  name); the group row carries the subject.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conductlens.demo import _android_groups as rows
from conductlens.demo._android_schema import ANDROID_METADATA, MSGSTORE_TABLES, WA_TABLES
from conductlens.demo.model import Scenario


def _create(path: Path, statements: tuple[str, ...]) -> sqlite3.Connection:
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    for statement in (ANDROID_METADATA, *statements):
        conn.execute(statement)
    conn.execute("INSERT INTO android_metadata VALUES ('en_GB')")
    return conn


def write_msgstore(scenario: Scenario, path: Path) -> Path:
    """Write ``msgstore.db`` to ``path`` (replacing any existing file)."""
    conn = _create(path, MSGSTORE_TABLES)
    with conn:
        rows.fill_msgstore(conn, scenario)
    conn.close()
    return path


def write_wa_db(scenario: Scenario, path: Path) -> Path:
    """Write ``wa.db`` (contacts as the owner's phone knows them) to ``path``."""
    conn = _create(path, WA_TABLES)
    with conn:
        rows.write_contacts(conn, scenario)
    conn.close()
    return path
