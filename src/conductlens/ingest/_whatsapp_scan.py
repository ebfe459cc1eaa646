"""Reading a WhatsApp text export: header shapes, and the first pass.

Blocks of whole lines (``_whatsapp_chunks``) are searched by one regex each, anchored on the
"\\n" before a line, so continuation lines never reach Python code. Pass 1 learns the
header shapes, each shape's day/month order, the senders, whether the chat is a group and its
subject; pass 2 (``_whatsapp_emit``) then emits records with the same :class:`Headers`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter

from conductlens.ingest._whatsapp_chunks import BadLine, Chunk
from conductlens.ingest._whatsapp_dates import (
    GENERAL,
    DateReader,
    FieldStats,
    Order,
    Shape,
    decide_order,
    order_key,
    shape_of,
    uncaptured,
)
from conductlens.ingest._whatsapp_system import BANNER, is_banner, system_line
from conductlens.model import MembershipKind

MAX_SHAPES = 12
GROUPS = 8  # groups per shape pattern (see Shape.pattern)
# Headers may run backwards a little (clock changes, hand-edited files); a pasted header more
# than about a day before the message it sits in, for a name never seen in order, is read as
# part of that message.
BACKWARD_TOLERANCE = 24 * 60
_HEADERISH = r"(?=\u200e?\[?\d{1,4}[./-] ?\d)"  # a line that could start a header
_QUICK_NAMES = 64  # most senders Scan.check lists


@dataclass(slots=True)
class Headers:
    """Header shapes, one combined regex of their fast patterns, and a date reader each."""

    locale: str
    fixed: dict[int, Order] | None = None
    cue: tuple[bool, str] | None = None  # (day_first, basis) from the file's language
    shapes: list[Shape] = field(default_factory=list)
    stats: list[FieldStats] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    used: list[set[bool]] = field(default_factory=list)
    readers: list[DateReader] = field(default_factory=list)
    combined: re.Pattern[str] = re.compile(r"(?!)")
    # Pass 1 and pass 2 patterns, anchored on the "\n" before a line (see _compile).
    lines: re.Pattern[str] = re.compile(r"(?!)")
    brief: re.Pattern[str] = re.compile(r"(?!)")
    heads: re.Pattern[str] = re.compile(r"(?!)")
    pieces: tuple[re.Pattern[str], re.Pattern[str]] = (re.compile(r"(?!)"), re.compile(r"(?!)"))
    # With one shape: "\n" + header, uncaptured; and the same capturing only "date".
    head: re.Pattern[str] = re.compile(r"(?!)")
    dates: re.Pattern[str] = re.compile(r"(?!)")
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
        """Learn the first header shape in ``text`` that no known pattern matches.

        (Pass 1 finds any later one, in the same order, among the lines that ``brief`` finds
        no known shape in: see :meth:`learn`.)
        """
        if len(self.shapes) >= MAX_SHAPES:
            return
        for m in self.unknown.finditer(text):
            shape = shape_of(m)
            if shape is not None and shape not in self.shapes:
                self._add(shape)
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
        # The header in two captured pieces, "date" and "time", each a cache key for reading
        # the time (see day/clock); with several shapes "date" is the whole header, "time" "".
        if len(self.shapes) == 1:
            date, time = self.shapes[0].date_pattern(), self.shapes[0].time_pattern()
            self.pieces = (re.compile(date), re.compile(time))
            head = f"(({uncaptured(date)})({uncaptured(time)}))"
            self.head = re.compile(rf"\n{uncaptured(date)}{uncaptured(time)}")
            self.dates = re.compile(rf"\n({uncaptured(date)}){uncaptured(time)}")
        else:
            head = "((" + "|".join(uncaptured(p) for p in parts) + ")())"
        # Pass 2 splits a "\n"-prefixed chunk on: \n ((date)(time)(Name): ). A leading
        # "\n" instead of (?m)^ lets the regex engine jump from newline to newline.
        # "Name: " is left out when a mark or the encryption notice follows (the slow path:
        # notices are written as if the contact sent them); the class is their first letters.
        self.heads = re.compile(
            r"\n(" + head[1:-1] + r"(?:([^\n:]*): "
            r"(?!(?=[\u200eMLNAIBVT])(?:\u200e|" + BANNER.pattern + ")))?)"
        )
        # Pass 1: also the rest of the line, and (last group) any other line that could start
        # a header of a shape not yet known, so new shapes are found in the same scan.
        # (Such a line starts the way GENERAL needs; the header is date + time.) ``brief``
        # leaves out the rest of the line, needed only for a name not yet known.
        other = "|" + _HEADERISH + r"([^\n]*))"
        self.brief = re.compile(r"\n(?:" + head[1:-1] + r"(?:([^\n:]*): )?" + other)
        self.lines = re.compile(r"\n(?:" + head[1:-1] + r"(?:([^\n:]*): )?([^\n]*)" + other)
        self.unknown = re.compile(
            "(?m)^(?!" + "|".join(parts) + r")(?=[\u200e\[\d])" + GENERAL.pattern
        )

    def groups_of(self, header: str) -> tuple[int, tuple[str, ...]]:
        """(shape index, its 8 groups) for a header matched by ``heads`` or ``lines``."""
        m = self.combined.fullmatch(header)
        assert m is not None
        return self.split(m.groups())

    def day(self, date: str) -> datetime | None:
        """The "date" piece of a header as a datetime (the whole time with several shapes)."""
        if len(self.shapes) > 1:
            return self.when(*self.groups_of(date))
        m = self.pieces[0].fullmatch(date)
        assert m is not None
        return self.readers[0].day(m.groups())

    def clock(self, time: str) -> timedelta | None:
        """The "time" piece of a header as a time of day."""
        if len(self.shapes) > 1:
            return timedelta(0)
        m = self.pieces[1].fullmatch(time)
        assert m is not None
        return DateReader.clock(m.groups())

    def when_of(self, header: str) -> datetime | None:
        """The local time a header says, None when impossible."""
        return self.when(*self.groups_of(header))

    def split(self, g: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
        """(shape index, its 8 groups) for a match of the combined regex."""
        if len(g) == GROUPS:
            return 0, g
        for k in range(len(self.shapes)):
            if g[k * GROUPS + 2]:
                return k, g[k * GROUPS : (k + 1) * GROUPS]
        return 0, g[:GROUPS]

    def count(self, heads: list[tuple[str, ...]]) -> dict[str, int]:
        """Add a chunk's headers to the date statistics, then settle each shape's order.

        Returns the shape index of each distinct "date" piece of the chunk.
        """
        return self.count_dates(Counter(map(itemgetter(0), heads)))

    def count_dates(self, dates: Counter[str]) -> dict[str, int]:
        """:meth:`count` given how many headers have each distinct "date" piece."""
        shapes: dict[str, int] = {}
        for date, n in dates.items():
            if len(self.shapes) == 1:
                m = self.pieces[0].fullmatch(date)
                assert m is not None
                k, g = 0, m.groups()
            else:
                k, g = self.groups_of(date)
            shapes[date] = k
            fi, si = (1, 2) if self.shapes[k].year_first else (0, 1)
            self.stats[k].firsts.add(g[fi])
            self.stats[k].seconds.add(g[si])
            self.counts[k] += n
        for k in range(len(self.shapes)):
            order = self.order(k)
            self.used[k].add(order.day_first)
            self.readers[k] = DateReader(self.shapes[k], order.day_first, not order.certain)
        return shapes

    def order(self, k: int) -> Order:
        """The day/month order of shape ``k``."""
        if self.fixed is not None and k in self.fixed:
            return self.fixed[k]
        return decide_order(self.shapes[k], self.stats[k], self.locale, self.cue)

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
    prev: str | None = None  # the last header taken as a message
    seen: set[tuple[str, int]] = field(default_factory=set)
    _check: tuple[int, int, re.Pattern[str]] | None = None  # (senders, shapes, pattern)

    def check(self) -> re.Pattern[str] | None:
        """With one shape, a regex for the lines pass 1 looks at (see _quick), else None.

        Groups: the "date" of a header (atomic: read as ``brief`` reads it) followed by
        "Known Name: "; a line that could be a header of another shape; "" for any other
        header. ``brief`` never reads a "Name" with ":", so such names are left out.
        """
        headers = self.headers
        if len(headers.shapes) != 1:
            return None
        key = (len(self.senders), len(headers.shapes))
        if self._check is not None and self._check[:2] == key:
            return self._check[2]
        names = [re.escape(n) for n in self.senders if ":" not in n and "\n" not in n]
        pattern = None
        if 0 < len(names) <= _QUICK_NAMES:
            head = headers.head.pattern[2:]  # without its leading "\n"
            dated = headers.dates.pattern[2:]
            pattern = re.compile(
                rf"\n(?:(?>{dated})(?=(?:{'|'.join(names)}): )"
                rf"|(?!{head}){_HEADERISH}([^\n]*)|{head}())"
            )
        self._check = (*key, pattern) if pattern is not None else None
        return pattern

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


def first_pass(chunks: Iterator[Chunk | BadLine], locale: str, fixed: dict[int, Order] | None
               ) -> Scan:
    """Walk every line once, collecting shapes, date statistics and senders."""
    scan = Scan(Headers(locale, fixed=fixed))
    headers = scan.headers
    for item in chunks:
        if isinstance(item, BadLine):
            scan.lines += 1
            scan.bad_lines += 1
            continue
        text = item.text  # "\n" + lines
        scan.lines += item.lines
        if not headers.shapes:
            headers.discover(text)
        if _quick(scan, text):
            continue
        # (date, time, name, other line that may be a header)
        heads = headers.brief.findall(text)
        strange = [t[3] for t in heads if t[3]]
        if strange:
            if headers.learn(strange):
                heads = headers.brief.findall(text)
            heads = [t for t in heads if not t[3]]
        shapes = headers.count(heads)
        scan.header_lines += len(heads)
        if scan.senders.keys() >= set(map(itemgetter(2), heads)):
            # Only known senders (most chunks): nothing to learn but the last header.
            if len(headers.shapes) > 1:
                scan.seen.update((t[2], shapes[t[0]]) for t in heads)
            if heads:
                scan.prev = heads[-1][0] + heads[-1][1]
            continue
        # (date, time, name, rest of line, other line)
        full = [t for t in headers.lines.findall(text) if not t[4]]
        _chunk(scan, full, shapes)
    scan.drop_rare()
    return scan


def _quick(scan: Scan, text: str) -> bool:
    """Pass 1 over a chunk whose every header has a known sender (most chunks), else False.

    Does what the general loop does for such a chunk, with a string per header, not a tuple
    of four; for any other chunk it does nothing.
    """
    check = scan.check()
    if check is None:
        return False
    found = check.findall(text)
    dates = Counter(map(itemgetter(0), found))
    odd = dates.pop("", 0)
    headers = scan.headers
    if odd:
        strange = list(filter(None, map(itemgetter(1), found)))
        if len(strange) < odd or headers.learn(strange):
            return False  # a header with another name, or a new shape: the general way
    headers.count_dates(dates)
    scan.header_lines += dates.total()
    end = len(text)
    while dates and (start := text.rfind("\n", 0, end)) >= 0:
        m = headers.head.match(text, start)
        if m is not None:
            scan.prev = m.group()[1:]
            break
        end = start
    return True


def _chunk(scan: Scan, heads: list[tuple[str, ...]], shapes: dict[str, int]) -> None:
    # Runs once per header line of the whole export: keep the common case to a dict lookup.
    senders, multi, seen = scan.senders, len(scan.headers.shapes) > 1, scan.seen
    prev = scan.prev
    last = None  # the last header taken as a message, when it is of this chunk
    for t in heads:
        name = t[2]
        if multi and name:
            seen.add((name, shapes[t[0]]))
        if name in senders:
            last = t
            continue
        if last is not None:
            prev = last[0] + last[1]
        here = t[0] + t[1]
        if in_order(scan.headers, here, prev):
            prev, last = here, None
            body = f"{name}: {t[3]}" if name else t[3]
            _note(scan, body, len(name) if name else body.find(": "))
    scan.prev = prev if last is None else last[0] + last[1]


def in_order(headers: Headers, here: str, before: str | None) -> bool:
    """False when header ``here`` is impossible or dated well before the header ``before``."""
    when = headers.when_of(here)
    if when is None:
        return False
    ref = headers.when_of(before) if before is not None else None
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
