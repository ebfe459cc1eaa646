"""Render the scenario as a WhatsApp **iOS** export: a zip holding ``_chat.txt`` and photos.

``_chat.txt`` shape (en-GB, 24-hour, seconds; ``‎`` is U+200E LEFT-TO-RIGHT MARK)::

    [02/03/2026, 07:01:22] T3 Response - no work chat after 10pm: ‎Messages and calls ...
    [02/03/2026, 07:01:22] T3 Response - no work chat after 10pm: ‎Sgt Mark Dunmore
    created group “Team 3 Northtown”      (one line in the file)
    [02/03/2026, 07:04:49] Kempy: Same
    [03/03/2026, 14:10:05] ‪+44 7700 900112‬: ‎<attached: 00000231-PHOTO-2026-03-03-14-10-05.jpg>
    Sunrise from Castle Hill on nights 🌅

Notes for parser authors:

* System lines are written as if sent by the group, under its **current** name (the name at
  export time), with U+200E before the text; iOS uses curly quotes “…”.
* Unsaved numbers are wrapped in U+202A … U+202C (directional embedding) as iOS does.
* Photos: ``‎<attached: NNNNNNNN-PHOTO-YYYY-MM-DD-HH-MM-SS.jpg>`` where ``NNNNNNNN`` is the
  message's ``seq``; the file is in the zip next to ``_chat.txt``.  Captions follow on the
  next line.  Deleted: ``‎This message was deleted.`` / ``‎You deleted this message.``;
  edited: `` ‎<This message was edited>`` suffix.
* Lines end with ``\\r\\n``; bodies are split on ``\\n`` and continuation lines carry no
  timestamp.  The zip is deterministic: members in a fixed order, all dated 2026-09-01.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from conductlens.demo._render_common import (
    E2E_IOS,
    LRM,
    NameBook,
    deleted_text,
    media_names,
    pretty_phone,
    system_text,
)
from conductlens.demo.media import photo_bytes
from conductlens.demo.model import DemoMessage, Scenario

ZIP_DATE = (2026, 9, 1, 0, 0, 0)
LRE, PDF = "\u202a", "\u202c"


def _stamp(when: datetime) -> str:
    return when.strftime("[%d/%m/%Y, %H:%M:%S]")


def _sender(book: NameBook, message: DemoMessage) -> str:
    name = book.name(message.sender, message.when)
    if name == pretty_phone(book.phone(message.sender, message.when)):
        return f"{LRE}{name}{PDF}"
    return name


def _body(scenario: Scenario, message: DemoMessage, media_name: str | None) -> str:
    if message.kind == "deleted":
        return f"{LRM}{deleted_text(scenario, message)}."
    if message.kind == "media":
        head = f"{LRM}<attached: {media_name}>"
        return f"{head}\n{message.text}" if message.text else head
    return message.text + (f" {LRM}<This message was edited>" if message.edited else "")


def ios_chat_lines(scenario: Scenario) -> Iterator[str]:
    """Yield the lines of ``_chat.txt`` (without line terminators)."""
    book = NameBook(scenario)
    media = media_names(scenario)
    group = scenario.subject
    yield f"{_stamp(scenario.events[0].when)} {group}: {LRM}{E2E_IOS}"
    for event in scenario.events:
        if isinstance(event, DemoMessage):
            name = media.get(event.seq, ("", ""))[1] or None
            text = f"{_stamp(event.when)} {_sender(book, event)}: {_body(scenario, event, name)}"
        else:
            text = f"{_stamp(event.when)} {group}: {LRM}{system_text(book, event, ios=True)}"
        yield from text.split("\n")


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


def write_ios_zip(scenario: Scenario, path: Path) -> Path:
    """Write the iOS export zip (``_chat.txt`` first, then photos in timeline order)."""
    chat = "".join(line + "\r\n" for line in ios_chat_lines(scenario)).encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        _add(archive, "_chat.txt", chat)
        for seq, (_, ios_name) in sorted(media_names(scenario).items()):
            _add(archive, ios_name, photo_bytes(scenario.seed, seq))
    return path
