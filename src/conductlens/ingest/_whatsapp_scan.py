"""Reading a WhatsApp text export: chunks of lines, header shapes, and the first pass.

The file is read in blocks of whole lines, decoded in one go, and header lines are found by
``finditer`` over the block (continuation lines never reach Python code). Pass 1 learns the
header shapes, each shape's day/month order, the senders, whether the chat is a group and its
subject; pass 2 (``_whatsapp_emit``) then emits records with the same :class:`Headers`.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import IO

from conductlens.errors import ParseError
from conductlens.ingest._whatsapp_dates import (
    GENERAL,
    DateReader,
    FieldStats,
    Order,
    Shape,
    decide_order,
    order_key,
    shape_of,
)
from conductlens.ingest._whatsapp_system import is_banner, system_line
from conductlens.model import MembershipKind

Opener = Callable[[], IO[bytes]]
BLOCK = 1 << 20
MAX_SHAPES = 12
GROUPS = 8  # groups per shape pattern (see Shape.pattern)
# Headers may run backwards a little (clock changes, hand-edited files); a pasted header more
# than about a day before the message it sits in, for a name never seen in order, is read as
# part of that message.
BACKWARD_TOLERANCE = 24 * 60


@dataclass(frozen=True, slots=True)
class Chunk:
    """Whole decoded lines (``\\n`` ends every line but perhaps the file's last)."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line whose bytes are not valid in the file's encoding."""

    line: int
    raw: bytes


def iter_chunks(open_bytes: Opener, path: str) -> Iterator[Chunk | BadLine]:
    """The file as chunks of whole lines, with undecodable lines set apart."""
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
            cut = len(data) if not block else data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                yield from _decode(data[:cut], line)
                line += data.count(b"\n", 0, cut)
            if not block:
                return


def _decode(data: bytes, line: int) -> Iterator[Chunk | BadLine]:
    try:
        yield Chunk(line, _lf(data.decode("utf-8")))
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
                yield Chunk(start, _lf("".join(good)))
            good = []
            start = n + 1
            yield BadLine(n, raw.rstrip(b"\r\n"))
    if good:
        yield Chunk(start, _lf("".join(good)))


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n") if "\r" in text else text


def _utf16_chunks(start: bytes, rest: IO[bytes], path: str) -> Iterator[Chunk | BadLine]:
    stream = io.TextIOWrapper(
        io.BufferedReader(_Joined(start, rest)), encoding="utf-16", errors="strict", newline=""
    )
    line, carry = 1, ""
    try:
        while True:
            block = stream.read(BLOCK)
            data = carry + block
            cut = len(data) if not block else data.rfind("\n") + 1
            carry = data[cut:]
            if cut:
                yield Chunk(line, _lf(data[:cut]))
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


@dataclass(slots=True)
class Headers:
    """Header shapes, one combined regex of their fast patterns, and a date reader each."""

    locale: str
    fixed: dict[int, bool] | None = None
    shapes: list[Shape] = field(default_factory=list)
    stats: list[FieldStats] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    used: list[set[bool]] = field(default_factory=list)
    readers: list[DateReader] = field(default_factory=list)
    combined: re.Pattern[str] = re.compile(r"(?!)")
    with_name: re.Pattern[str] = re.compile(r"(?!)")
    with_line: re.Pattern[str] = re.compile(r"(?!)")
    unknown: re.Pattern[str] = re.compile(r"(?m)^(?=[\u200e\[\d])" + GENERAL.pattern)

    def learn(self, lines: list[str]) -> bool:
        """Learn the shapes of these header-like lines; True when any was new."""
        before = len(self.shapes)
        for line in lines:
            m = GENERAL.match(line)
            shape = shape_of(m) if m is not None else None
            if shape is not None and shape not in self.shapes and len(self.shapes) < MAX_SHAPES:
                self._add(shape)
        return len(self.shapes) > before

    def discover(self, text: str) -> None:
        """Learn header shapes in ``text`` that no known pattern matches."""
        if len(self.shapes) >= MAX_SHAPES:
            return
        for m in self.unknown.finditer(text):
            shape = shape_of(m)
            if shape is not None and shape not in self.shapes:
                self._add(shape)
                self.discover(text[m.start() :])
                return

    def _add(self, shape: Shape) -> None:
        self.shapes.append(shape)
        self.stats.append(FieldStats())
        self.counts.append(0)
        self.used.append(set())
        self.readers.append(DateReader(shape, True))
        self._compile()

    def _compile(self) -> None:
        parts = [s.pattern() for s in self.shapes]
        self.combined = re.compile("(?m)^(?:" + "|".join(parts) + ")")
        # The same, also capturing the "Name" of "Name: " (and, for pass 1, the rest of the line).
        self.with_name = re.compile(self.combined.pattern + r"(?:([^\n:]*): )?")
        # Pass 1: also the rest of the line, and (last group) any other line that could start
        # a header of a shape not yet known, so new shapes are found in the same scan.
        self.with_line = re.compile(
            "(?m)^(?:(?:" + "|".join(parts) + r")(?:([^\n:]*): )?([^\n]*)"
            r"|(?=[\u200e\[\d])([^\n]*))"
        )
        self.unknown = re.compile(
            "(?m)^(?!" + "|".join(parts) + r")(?=[\u200e\[\d])" + GENERAL.pattern
        )

    def split(self, g: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
        """(shape index, its 8 groups) for a match of the combined regex."""
        if len(g) == GROUPS:
            return 0, g
        for k in range(len(self.shapes)):
            if g[k * GROUPS + 2]:
                return k, g[k * GROUPS : (k + 1) * GROUPS]
        return 0, g[:GROUPS]

    def count(self, heads: list[tuple[str, ...]]) -> None:
        """Add a chunk's headers to the date statistics, then settle each shape's order."""
        if len(self.shapes) == 1:
            fi, si = (1, 2) if self.shapes[0].year_first else (0, 1)
            self.stats[0].firsts.update(map(itemgetter(fi), heads))
            self.stats[0].seconds.update(map(itemgetter(si), heads))
            self.counts[0] += len(heads)
        else:
            for t in heads:
                k, g = self.split(t[:-3])
                fi, si = (1, 2) if self.shapes[k].year_first else (0, 1)
                self.stats[k].firsts.add(g[fi])
                self.stats[k].seconds.add(g[si])
                self.counts[k] += 1
        for k in range(len(self.shapes)):
            order = self.order(k)
            self.used[k].add(order.day_first)
            self.readers[k] = DateReader(self.shapes[k], order.day_first, not order.certain)

    def order(self, k: int) -> Order:
        """The day/month order of shape ``k``."""
        if self.fixed is not None and k in self.fixed:
            return Order(self.fixed[k], True, "fixed")
        return decide_order(self.shapes[k], self.stats[k], self.locale)

    def when(self, k: int, g: tuple[str, ...]) -> datetime | None:
        """The header's local time, None when the date is impossible."""
        return self.readers[k].read(g)

    def frozen(self) -> Headers:
        """A copy for pass 2: most used shape first, final orders."""
        ranked = sorted(range(len(self.shapes)), key=lambda k: -self.counts[k])
        out = Headers(self.locale)
        for k in ranked:
            out.shapes.append(self.shapes[k])
            out.stats.append(self.stats[k])
            out.counts.append(self.counts[k])
            decided = self.order(k)
            out.readers.append(DateReader(self.shapes[k], decided.day_first, not decided.certain))
        if out.shapes:
            out._compile()
        return out


@dataclass(slots=True)
class Scan:
    """What pass 1 learnt about one export."""

    headers: Headers
    senders: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    header_lines: int = 0
    bad_lines: int = 0
    group_events: bool = False
    subject: str | None = None
    banner_title: str | None = None
    prev: tuple[str, ...] | None = None
    seen: set[tuple[str, int]] = field(default_factory=set)

    def drop_rare(self) -> None:
        """Forget names seen only in rare header shapes (under a tenth of the headers).

        A line shaped like another phone's export inside a message (a pasted chat) must not
        invent a sender.
        """
        counts = self.headers.counts
        if len(counts) < 2:
            return
        rare = {k for k, n in enumerate(counts) if n * 10 < max(counts)}
        shapes_of: dict[str, set[int]] = {}
        for name, k in self.seen:
            shapes_of.setdefault(name, set()).add(k)
        for name, ks in shapes_of.items():
            if ks <= rare:
                self.senders.pop(name, None)

    def known(self, body: str) -> str | None:
        """The known sender ``body`` starts with ("Name: ..." or "Name:"), else None."""
        start = 0
        while (idx := body.find(":", start)) > 0:
            if body[:idx] in self.senders:
                return body[:idx]
            start = idx + 1
        return None


def first_pass(chunks: Iterator[Chunk | BadLine], locale: str, fixed: dict[int, bool] | None
               ) -> Scan:
    """Walk every line once, collecting shapes, date statistics and senders."""
    scan = Scan(Headers(locale, fixed=fixed))
    for item in chunks:
        if isinstance(item, BadLine):
            scan.lines += 1
            scan.bad_lines += 1
            continue
        text = item.text
        scan.lines += text.count("\n") + (0 if text.endswith("\n") else 1)
        if not scan.headers.shapes:
            scan.headers.discover(text)
        heads = scan.headers.with_line.findall(text)
        strange = [t[-1] for t in heads if t[-1]]
        if strange:
            if scan.headers.learn(strange):
                heads = scan.headers.with_line.findall(text)
            heads = [t for t in heads if not t[-1]]
        scan.headers.count(heads)
        scan.header_lines += len(heads)
        _chunk(scan, heads)
    scan.drop_rare()
    return scan


def _chunk(scan: Scan, heads: list[tuple[str, ...]]) -> None:
    # Runs once per header line of the whole export: keep the common case to a dict lookup.
    senders, split = scan.senders, scan.headers.split
    multi, seen = len(scan.headers.shapes) > 1, scan.seen
    prev = scan.prev
    for t in heads:
        name = t[-3]
        if multi and name:
            seen.add((name, split(t[:-3])[0]))
        if name in senders:
            prev = t
            continue
        here = split(t[:-3])
        if in_order(scan.headers, here, split(prev[:-3]) if prev is not None else None):
            prev = t
            body = f"{name}: {t[-2]}" if name else t[-2]
            _note(scan, body, len(name) if name else body.find(": "))
    scan.prev = prev


def in_order(headers: Headers, here: tuple[int, tuple[str, ...]],
             before: tuple[int, tuple[str, ...]] | None) -> bool:
    """False when ``here`` is impossible or dated well before the header ``before``."""
    when = headers.when(*here)
    if when is None:
        return False
    ref = headers.when(*before) if before is not None else None
    return ref is None or order_key(when) >= order_key(ref) - BACKWARD_TOLERANCE


def _note(scan: Scan, body: str, idx: int) -> None:
    """A header whose prefix is not yet a known sender: a new sender or a system line."""
    info, known = system_line(body)
    if not known:
        if idx < 0 and body.endswith(":") and len(body) > 1:
            idx = len(body) - 1
        if idx > 0:
            scan.senders[body[:idx]] = 1
        return
    if info is None:
        if idx > 0 and scan.banner_title is None and is_banner(body[idx + 2 :]):
            scan.banner_title = body[:idx]
        return
    scan.group_events = scan.group_events or info.group
    if info.detail and info.kind in (MembershipKind.SUBJECT_CHANGED, MembershipKind.CREATED):
        scan.subject = info.detail
