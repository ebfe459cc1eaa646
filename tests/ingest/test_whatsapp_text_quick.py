"""Pass 1's quick way through a chunk learns exactly what its general way learns.

The quick way (one header shape, every header's "Name: " a known sender) counts dates with one
string per header; any other chunk goes the general way. Turning the quick way off must not
change a record, whatever the block size.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import conductlens.ingest._whatsapp_chunks as chunks
import conductlens.ingest._whatsapp_scan as scan
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.whatsapp_text import WhatsAppText

_BRACKET = [
    "[02/03/2026, 10:00:01] Bob: hi",
    "[02/03/2026, 10:00:02]  Bob: two spaces: a name that starts with one",
    "[02/03/2026, 10:00:03] a:b: a name with a colon is never read as one",
    "[02/03/2026, 10:00:04] Ann:: x",
    "13/04/2026 - swap: looks like a header, is not",
    "[02/03/2026, 10:00:06] Bob added Ann",
    "[02/03/2026, 10:00:07] Zoë 😀: emoji",
    "plain continuation 😀",
    "[02/03/2026, 10:00:08] Ann: x",
]


def _lines(n: int) -> list[str]:
    names = ["Bob", "Ann", "Zoë 😀", "Dr. (X) [1]"]
    out = []
    for i in range(n):
        out.append(
            f"[{1 + i // 400:02d}/03/2026, {i % 24:02d}:{i % 60:02d}:00] "
            f"{names[i % len(names)]}: message {i}"
        )
        if i % 37 == 3:
            out.append(_BRACKET[(i // 37) % len(_BRACKET)])
        if i == n - 100:
            out.append("[2.3.26, 10:00:05] Pasted: another shape, near the end")
    return out


def _records(path: Path) -> list[object]:
    return list(WhatsAppText().parse(Source.open(path), ParseOptions()))


@pytest.mark.parametrize("crlf", [False, True])
def test_quick_way_learns_what_general_way_learns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crlf: bool
) -> None:
    text = "\n".join(_lines(3000)) + "\n"
    path = tmp_path / "chat.txt"
    path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode())
    used: list[bool] = []
    quick = scan._quick

    def spy(s: scan.Scan, t: str) -> bool:
        used.append(quick(s, t))
        return used[-1]

    for block in (1 << 20, 4096, 300):
        monkeypatch.setattr(chunks, "BLOCK", block)
        monkeypatch.setattr(scan, "_quick", spy)
        fast = _records(path)
        monkeypatch.setattr(scan, "_quick", lambda s, t: False)
        assert _records(path) == fast, block
    assert any(used) and not all(used)
