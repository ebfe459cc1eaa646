"""The WhatsApp text parser gives the same records whatever the read block size.

Blocks are cut at line ends; a message, a run of stray lines, or an undecodable line may
straddle a cut. Tiny blocks put a cut next to every kind of line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import conductlens.ingest._whatsapp_chunks as chunks
from conductlens.demo import write_android_txt
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.whatsapp_text import WhatsAppText
from conductlens.model import Message, ParseIssue

_ODD = [
    "31/02/2026, 10:00 - Ghost: an impossible date",
    "01/01/2020, 10:00 - Stranger: a pasted header from the past",
    "12/03/2026, 10:00 - Nobody said: hi",
    "5 things to do",
    "",
    "2026-03-02, 10:00 - Alt Shape: another header shape",
    "[02/03/2026, 10:00:01] Bracket: x",
    "02/03/2026, 10:00 - Sgt Mark Dunmore: Messages and calls are end-to-end encrypted",
    "02/03/2026, 10:00 - Sgt Mark Dunmore:no space",
    "02/03/2026, 10:00 - Sgt Mark Dunmore: \u200eKempy left",
    "02/03/2026, 10:00 - Sgt Mark Dunmore: IMG-20260302-WA0001.jpg (file attached)",
    "02/03/2026, 10:00 - Sgt Mark Dunmore: <Media omitted>",
    "02/03/2026, 10:00 - Sgt Mark Dunmore: This message was deleted",
    "02/03/2026, 10:00 - Sgt Mark Dunmore: done <This message was edited>",
]


def _export(tmp_path: Path) -> bytes:
    base = tmp_path / "base.txt"
    write_android_txt(base, 1500, seed=3)
    lines = base.read_bytes().split(b"\n")
    out = [b"stray one", b"stray two"]
    for n, line in enumerate(lines):
        if n % 23 == 5:
            out.append(_ODD[(n // 23) % len(_ODD)].encode())
        if n % 97 == 11:
            out.append(b"\xff\xfe not utf-8")
        out.append(line)
    return b"\n".join(out)


def _records(path: Path) -> list[object]:
    return list(WhatsAppText().parse(Source.open(path), ParseOptions()))


@pytest.mark.parametrize("ending", [b"", b"\n", b"\n\n"])
def test_block_size_does_not_change_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: bytes
) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(_export(tmp_path).rstrip(b"\n") + ending)
    whole = _records(path)
    assert sum(type(r) is Message for r in whole) > 900
    assert sum(type(r) is ParseIssue for r in whole) > 10
    for block in (4096, 97, 1):
        monkeypatch.setattr(chunks, "BLOCK", block)
        assert _records(path) == whole, block
