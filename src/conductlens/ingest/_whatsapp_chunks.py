"""Reading a WhatsApp text export as blocks of whole decoded lines.

The file is read in blocks of about 1 MiB of whole lines and decoded in one go; lines that
are not valid UTF-8 are set apart (they become ParseIssues), and UTF-16 files are decoded too.
Every line ending (LF, CRLF, a lone CR as old Mac tools write, or a mix) ends a line, so
the same chat gives the same records whichever it uses. A line longer than the
``max_line_bytes`` limit is refused before it is held whole.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from conductlens.errors import ParseError
from conductlens.ingest.limits import active

Opener = Callable[[], IO[bytes]]
BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Chunk:
    """Whole decoded lines, ``lines`` of them, the first being line ``line`` of the file.

    ``text`` is "\\n" + the lines, without the "\\n" that ends the last one (the shape both
    passes search: every line comes after a "\\n").
    """

    line: int
    text: str
    lines: int


@dataclass(slots=True)
class Endings:
    """How the lines of a file ended, counted where a block holds any CR."""

    crlf: int = 0
    cr: int = 0
    lf_mixed: int = 0

    def note(self, data: bytes) -> None:
        """Count the endings in ``data`` (called only when it holds a CR)."""
        crlf = data.count(b"\r\n")
        self.crlf += crlf
        self.cr += data.count(b"\r") - crlf
        self.lf_mixed += data.count(b"\n") - crlf

    def warning(self, path: str) -> str | None:
        """A line for the exhibit when lines end in lone CRs (alone or mixed with others)."""
        if not self.cr:
            return None
        mixed = ", mixed with LF or CRLF endings" if self.crlf + self.lf_mixed else ""
        return f"{path}: {self.cr:,} lines end in a lone CR{mixed}; each CR read as a line end"


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line whose bytes are not valid in the file's encoding."""

    line: int
    raw: bytes


def iter_chunks(
    open_bytes: Opener, path: str, endings: Endings | None = None
) -> Iterator[Chunk | BadLine]:
    """The file as chunks of whole lines, with undecodable lines set apart."""
    longest = active().max_line_bytes
    with open_bytes() as fh:
        carry = fh.read(4)
        if carry[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            yield from _utf16_chunks(carry, fh, path)
            return
        if carry[:3] == codecs.BOM_UTF8:
            carry = carry[3:]
        line = 1
        while True:
            block = fh.read(BLOCK)
            data = carry + block
            held = b""
            if b"\r" in block or b"\r" in carry:
                if block and data.endswith(b"\r"):
                    data, held = data[:-1], b"\r"  # its "\n" may start the next block
                if endings is not None:
                    endings.note(data)
                data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            cut = len(data) if not block else data.rfind(b"\n") + 1
            carry = data[cut:] + held
            if len(carry) > longest:
                at = line + data.count(b"\n", 0, cut)
                raise active().refuse(path, f"line {at} is longer than allowed", "max_line_bytes")
            if cut:
                n = data.count(b"\n", 0, cut)
                yield from _decode(data[:cut], line, n)
                line += n
            if not block:
                return


def _decode(data: bytes, line: int, n: int) -> Iterator[Chunk | BadLine]:
    """``data``: whole lines with ``n`` "\\n" in all."""
    # The "\n" before the first line is added to the bytes: adding it to the text would copy
    # the text (4 bytes a character where there is an emoji).
    end = data.endswith(b"\n")
    cut = len(data) - (2 if data.endswith(b"\r\n") else 1) if end else len(data)
    try:
        yield Chunk(line, _lf((b"\n" + data[:cut]).decode("utf-8")), n if end else n + 1)
        return
    except UnicodeDecodeError:
        pass
    good: list[str] = []
    start = line
    pieces = data.split(b"\n")
    if not pieces[-1]:
        pieces.pop()
    for n, piece in enumerate(pieces, start=line):
        raw = piece + b"\n" if n - line < len(pieces) - 1 or data.endswith(b"\n") else piece
        try:
            good.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            if good:
                yield _chunk(start, "".join(good))
            good = []
            start = n + 1
            yield BadLine(n, raw.rstrip(b"\r\n"))
    if good:
        yield _chunk(start, "".join(good))


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _chunk(line: int, text: str) -> Chunk:
    """A Chunk of whole decoded lines (with "\\r\\n" or "\\n", the last perhaps with none)."""
    text = _lf(text)
    n = text.count("\n")
    if text.endswith("\n"):
        return Chunk(line, "\n" + text[:-1], n)
    return Chunk(line, "\n" + text, n + 1)


def _utf16_chunks(start: bytes, rest: IO[bytes], path: str) -> Iterator[Chunk | BadLine]:
    stream = io.TextIOWrapper(
        io.BufferedReader(_Joined(start, rest)), encoding="utf-16", errors="strict", newline=""
    )
    line, carry = 1, ""
    longest = active().max_line_bytes
    try:
        while True:
            block = stream.read(BLOCK)
            data = carry + block
            if "\r" in data:
                held = "\r" if block and data.endswith("\r") else ""
                data = _lf(data[: len(data) - len(held)])
            else:
                held = ""
            cut = len(data) if not block else data.rfind("\n") + 1
            carry = data[cut:] + held
            if len(carry) * 2 > longest:
                raise active().refuse(path, f"line {line} is longer than allowed",
                                      "max_line_bytes")
            if cut:
                yield _chunk(line, data[:cut])
                line += data.count("\n", 0, cut)
            if not block:
                return
    except UnicodeDecodeError as exc:
        raise ParseError(path, "not valid UTF-16 text", line) from exc


class _Joined(io.RawIOBase):
    """Bytes already read, then the rest of a stream (to re-read a sniffed BOM)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read(len(buf))
        buf[: len(data)] = data
        return len(data)
