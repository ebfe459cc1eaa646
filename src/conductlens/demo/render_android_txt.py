"""Render the scenario as a WhatsApp **Android** chat export (``.txt``, en-GB, 24-hour).

Shape (one header line per message, continuation lines for multi-line bodies)::

    02/03/2026, 07:01 - Messages and calls are end-to-end encrypted. Only people ...
    02/03/2026, 07:01 - Sgt Mark Dunmore created group "Team 3 Northtown"
    02/03/2026, 07:01 - Sgt Mark Dunmore added Priya Sgt T3
    02/03/2026, 07:04 - Kempy: Same
    03/03/2026, 14:10 - +44 7700 900112: IMG-20260303-WA0000.jpg (file attached)
    Sunrise from Castle Hill on nights 🌅
    05/03/2026, 19:22 - Liam Corbett: You deleted this message

Notes for parser authors:

* Minute resolution; the owner's own messages carry his own name (``Liam Corbett``) and
  system lines say ``You``/``you`` for him.
* Unsaved numbers appear as ``+44 7700 900123``; after a number change the same officer's
  later messages appear under the new (unsaved) number.
* Bodies may contain lines such as ``12/04/2026 - Dave on earlies`` or ``Time: 14:00 -
  15:00``; a header always has ``dd/mm/yyyy, HH:MM - ``.
* Edited messages end with `` <This message was edited>``; deleted ones read ``This message
  was deleted`` / ``You deleted this message``; photos ``<name> (file attached)`` or, with
  ``include_media=False``, ``<Media omitted>``.  Captions follow on the next line.
* Reactions and reply quotes are not exported (WhatsApp drops them), so they only exist in
  the databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from conductlens.demo._render_common import (
    E2E_ANDROID,
    NameBook,
    deleted_text,
    media_names,
    system_text,
)
from conductlens.demo.model import DemoMessage, Scenario

EDITED_SUFFIX = " <This message was edited>"


def stamp(when: datetime) -> str:
    """``dd/mm/yyyy, HH:MM`` for an aware datetime."""
    return when.strftime("%d/%m/%Y, %H:%M")


def message_body(
    message: DemoMessage, scenario: Scenario, media_name: str | None, *, include_media: bool
) -> str:
    """The exported body of one message (may contain newlines)."""
    if message.kind == "deleted":
        return deleted_text(scenario, message)
    if message.kind == "media":
        head = f"{media_name} (file attached)" if include_media else "<Media omitted>"
        return f"{head}\n{message.text}" if message.text else head
    return message.text + (EDITED_SUFFIX if message.edited else "")


def android_txt_lines(scenario: Scenario, *, include_media: bool = True) -> Iterator[str]:
    """Yield the export's lines (without newline characters)."""
    book = NameBook(scenario)
    media = media_names(scenario)
    first = scenario.events[0].when
    yield f"{stamp(first)} - {E2E_ANDROID}"
    for event in scenario.events:
        if isinstance(event, DemoMessage):
            name = media.get(event.seq, ("", ""))[0] or None
            body = message_body(event, scenario, name, include_media=include_media)
            text = f"{stamp(event.when)} - {book.name(event.sender, event.when)}: {body}"
        else:
            text = f"{stamp(event.when)} - {system_text(book, event, ios=False)}"
        yield from text.split("\n")


def write_android_export(scenario: Scenario, path: Path, *, include_media: bool = True) -> Path:
    """Write the Android export to ``path`` (UTF-8, ``\\n`` line endings)."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in android_txt_lines(scenario, include_media=include_media):
            handle.write(line + "\n")
    return path
