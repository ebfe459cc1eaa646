"""WhatsApp export header shapes: recognise them, compile a fast regex per shape, read dates.

Every locale writes the line header differently (``12/31/20, 9:05 PM - ``,
``[31.12.20, 21:05:33] ``, ``31.12.2020 klo 21.05 - ``, ``2020/12/31, 21:05 - ``...). The
general pattern below recognises any of them; each distinct *shape* it finds gets its own
specialised regex so the bulk of a million-line export is matched by one simple pattern.
Day/month order is decided per shape from the data (a field above 12), then from the shape,
then from the exhibit's locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_AMPM_SUFFIX = (
    r"(?:[AaPp]\.? ?[Mm]\.?|vorm\.|nachm\.|ap\.|ip\.|π\.μ\.|μ\.μ\.|de\.|du\.|ص|م"
    r"|午前|午後|上午|下午|오전|오후)"
)
_AMPM_PREFIX = r"(?:午前|午後|上午|下午|오전|오후)"
_PM_WORDS = frozenset({"pm", "p.m.", "nachm.", "ip.", "μ.μ.", "du.", "م", "午後", "下午", "오후"})
_AM_WORDS = frozenset({"am", "a.m.", "vorm.", "ap.", "π.μ.", "de.", "ص", "午前", "上午", "오전"})

# Any header WhatsApp has written. Groups: lrm, ob (bracket), a/b/c date fields, ds (date
# separator), dt (date-time separator), ap1 (prefix am/pm), H, ts (time separator), M, S,
# sp (space before suffix am/pm), ap2, tr (what ends the header).
GENERAL = re.compile(
    r"(?P<lrm>\u200e?)(?P<ob>\[?)(?P<a>\d{1,4})(?P<ds>[./-]) ?(?P<b>\d{1,2})(?P=ds) ?"
    r"(?P<c>\d{1,4})(?P<dd>\.?)(?P<dt>,? (?:klo )?|,)"
    rf"(?:(?P<ap1>{_AMPM_PREFIX}) ?)?(?P<H>\d{{1,2}})(?P<ts>[:.])(?P<M>\d\d)"
    rf"(?:(?P=ts)(?P<S>\d\d))?(?:(?P<sp>[ \u202f\u00a0]?)(?P<ap2>{_AMPM_SUFFIX}))?"
    r"(?P<tr>\] ?| [-–] |: )"
)


@dataclass(frozen=True, slots=True)
class Shape:
    """The literal form of one header style; fields are the literal pieces around numbers."""

    bracket: bool
    date_sep: str
    date_spaced: bool
    date_dot_end: bool
    year_first: bool
    year_digits: int
    date_time: str
    ampm_prefix: bool
    time_sep: str
    seconds: bool
    ampm_space: str | None
    trailer: str

    def pattern(self) -> str:
        """A specialised regex for exactly this shape (8 groups: a b c ap1 H M S ap2)."""
        return self.date_pattern() + self.time_pattern()

    def date_pattern(self) -> str:
        """The header up to the time (3 groups: a b c)."""
        sep = re.escape(self.date_sep) + (" ?" if self.date_spaced else "")
        year = rf"(\d{{{self.year_digits}}})"
        small = r"(\d{1,2})"
        fields = (year, small, small) if self.year_first else (small, small, year)
        date = fields[0] + sep + fields[1] + sep + fields[2] + (r"\." if self.date_dot_end else "")
        lead = r"\u200e?" + (r"\[" if self.bracket else "")
        return lead + date + re.escape(self.date_time)

    def time_pattern(self) -> str:
        """The rest of the header (5 groups: ap1 H M S ap2)."""
        pre = rf"({_AMPM_PREFIX}) ?" if self.ampm_prefix else "()"
        tsep = re.escape(self.time_sep)
        secs = rf"{tsep}(\d\d)" if self.seconds else "()"
        post = "()"
        if self.ampm_space is not None:
            post = re.escape(self.ampm_space) + rf"({_AMPM_SUFFIX})"
        trailer = re.escape(self.trailer)
        if self.trailer.startswith("]"):
            trailer = r"\] ?"
        elif self.trailer.strip() in "-–":
            trailer = r" [-–] "
        return pre + rf"(\d{{1,2}}){tsep}(\d\d)" + secs + post + trailer


def uncaptured(pattern: str) -> str:
    """``pattern`` with its capturing groups made non-capturing (for our own patterns)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 2 if pattern[i + 1 : i + 2] == "]" else i + 1
            while pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            out.append(pattern[i : j + 1])
            i = j + 1
            continue
        out.append("(?:" if c == "(" and pattern[i + 1 : i + 2] != "?" else c)
        i += 1
    return "".join(out)


def shape_of(m: re.Match[str]) -> Shape | None:
    """The shape of a GENERAL match, or None when it is not a plausible header."""
    a, c = m["a"], m["c"]
    year_first = len(a) == 4
    if not year_first and (len(c) not in (2, 4) or len(a) > 2):
        return None
    if year_first and len(c) > 2:
        return None
    if bool(m["ob"]) != m["tr"].startswith("]"):
        return None
    if m["ap1"] and m["ap2"]:
        return None
    return Shape(
        bracket=bool(m["ob"]), date_sep=m["ds"], date_spaced=" " in m.group(0)[: m.start("c")],
        date_dot_end=bool(m["dd"]), year_first=year_first,
        year_digits=len(a) if year_first else len(c), date_time=m["dt"],
        ampm_prefix=bool(m["ap1"]), time_sep=m["ts"], seconds=m["S"] is not None,
        ampm_space=(m["sp"] or "") if m["ap2"] else None,
        trailer=m["tr"],
    )


@dataclass(slots=True)
class FieldStats:
    """The distinct ways the two small date fields of one shape were written."""

    firsts: set[str] = field(default_factory=set)
    seconds: set[str] = field(default_factory=set)

    @property
    def max_first(self) -> int:
        return max((int(x) for x in self.firsts), default=0)

    @property
    def max_second(self) -> int:
        return max((int(x) for x in self.seconds), default=0)

    @property
    def unpadded(self) -> bool:
        return any(len(x) == 1 for x in self.firsts | self.seconds)

    @property
    def padded(self) -> bool:
        return any(len(x) == 2 and x[0] == "0" for x in self.firsts | self.seconds)


@dataclass(frozen=True, slots=True)
class Order:
    """Which small field is the day: ``day_first`` True for d/m, False for m/d."""

    day_first: bool
    certain: bool
    basis: str


_MDY_LOCALES = ("en-us", "en_us", "en-ph", "en-ca", "fil")


def decide_order(
    shape: Shape, stats: FieldStats, locale: str, cue: tuple[bool, str] | None = None
) -> Order:
    """Day/month order: from the data, then the file's language ``cue`` (day_first, basis),
    then the shape, then the exhibit locale."""
    if shape.year_first:
        # Year-first exports are y/m/d everywhere; a middle field over 12 says otherwise.
        if stats.max_first > 12 >= stats.max_second:
            return Order(True, True, "a middle field above 12 in the data")
        return Order(False, stats.max_second > 12, "year-first dates are year/month/day")
    if stats.max_first > 12 and stats.max_second <= 12:
        return Order(True, True, f"a first field of {stats.max_first} in the data")
    if stats.max_second > 12 and stats.max_first <= 12:
        return Order(False, True, f"a second field of {stats.max_second} in the data")
    if stats.max_first > 12 and stats.max_second > 12:
        return Order(True, False, "the data has both orders; each line read as it fits")
    if cue is not None:
        return Order(cue[0], False, cue[1])
    return _order_from_shape(shape, stats, locale)


def _order_from_shape(shape: Shape, stats: FieldStats, locale: str) -> Order:
    if shape.date_sep in ".-":
        return Order(True, False, f"dates written with '{shape.date_sep}' are day-first")
    if shape.year_digits == 2 and stats.unpadded and not stats.padded:
        return Order(False, False, "unpadded m/d/yy is the US short date")
    if shape.year_digits == 4 and stats.padded and not stats.unpadded:
        return Order(True, False, "zero-padded dd/mm/yyyy is the day-first short date")
    us = locale.lower().startswith(_MDY_LOCALES)
    return Order(not us, False, f"the exhibit locale {locale}")


class DateReader:
    """Turns the regex groups of one shape into naive datetimes; dates are cached."""

    __slots__ = ("_dates", "day_first", "lenient", "shape")

    def __init__(self, shape: Shape, day_first: bool, lenient: bool = False) -> None:
        self.shape = shape
        self.day_first = day_first
        self.lenient = lenient
        self._dates: dict[tuple[str, ...], tuple[int, int, int] | None] = {}

    def read(self, g: tuple[str, ...]) -> datetime | None:
        """``g`` = (a, b, c, ap_prefix, H, M, S, ap_suffix) as matched; None if invalid."""
        key = g[:3]
        if key in self._dates:
            ymd = self._dates[key]
        else:
            ymd = self._dates[key] = self._date(key)
        if ymd is None:
            return None
        hour = int(g[4])
        ampm = g[3] or g[7]
        if ampm:
            hour = _hour24(hour, ampm)
        try:
            return datetime(ymd[0], ymd[1], ymd[2], hour, int(g[5]), int(g[6]) if g[6] else 0)
        except ValueError:
            return None

    def day(self, g: tuple[str, ...]) -> datetime | None:
        """Midnight of the date in groups (a, b, c); None if impossible."""
        ymd = self._date(g)
        return None if ymd is None else datetime(ymd[0], ymd[1], ymd[2])

    @staticmethod
    def clock(g: tuple[str, ...]) -> timedelta | None:
        """The time of day in groups (ap1, H, M, S, ap2); None if impossible."""
        hour = int(g[1])
        ampm = g[0] or g[4]
        if ampm:
            hour = _hour24(hour, ampm)
        minute, second = int(g[2]), int(g[3]) if g[3] else 0
        if not (0 <= hour < 24 and minute < 60 and second < 60):
            return None
        return timedelta(hours=hour, minutes=minute, seconds=second)

    def _date(self, g: tuple[str, ...]) -> tuple[int, int, int] | None:
        a, b, c = g
        if self.shape.year_first:
            year, first, second = int(a), int(b), int(c)
        else:
            year, first, second = int(c), int(a), int(b)
        if year < 100:
            year += 2000
        day, month = (first, second) if self.day_first else (second, first)
        if self.shape.year_first:
            month, day = (second, first) if self.day_first else (first, second)
        if month > 12 and self.lenient:
            day, month = month, day
        try:
            datetime(year, month, day)
        except ValueError:
            return None
        return year, month, day


def _hour24(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    word = ampm.replace(" ", "").lower()
    if word in _PM_WORDS or word.startswith("p"):
        return hour if hour == 12 else hour + 12
    if word in _AM_WORDS or word.startswith("a"):
        return 0 if hour == 12 else hour
    return hour


def order_key(dt: datetime) -> int:
    """A monotonic minute count, cheap to compare (used to spot out-of-order pasted headers)."""
    return ((dt.year * 13 + dt.month) * 32 + dt.day) * 1440 + dt.hour * 60 + dt.minute
