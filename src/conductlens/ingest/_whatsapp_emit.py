"""Pass 2 of the WhatsApp text parser: turn lines into messages, events and issues."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain

import phonenumbers

from conductlens.ingest._whatsapp_body import _DELETED, _OMIT_ENDINGS, read_body
from conductlens.ingest._whatsapp_chunks import BadLine, Chunk
from conductlens.ingest._whatsapp_dates import order_key
from conductlens.ingest._whatsapp_scan import BACKWARD_TOLERANCE, Headers, Scan
from conductlens.ingest._whatsapp_system import BANNER as _BANNER
from conductlens.ingest._whatsapp_system import OWNER_WORDS, SystemLine, system_line
from conductlens.model import (
    MembershipEvent,
    Message,
    MessageKind,
    ParseIssue,
    Participant,
    Record,
    SourceRef,
    Timestamp,
)

OWNER = "You"
# The hot loop builds these records with tuple.__new__ (no Python-level __new__ call), so it
# relies on their exact fields: fail at import, not with wrong records, if they change.
if (Message._fields != ("conversation", "sender", "timestamp", "kind", "text", "raw", "source",
                        "key", "edited", "forwarded", "reply_to", "attachments")
        or SourceRef._fields[:3] != ("path", "line", "line_end") or len(SourceRef._fields) != 7
        or Timestamp._fields != ("local", "utc")):
    raise ImportError("conductlens.model changed: update _whatsapp_emit's record building")
_LRM = "\u200e"
_PLAIN_END = _OMIT_ENDINGS
# Their last 6 characters (none is shorter): a set lookup rules most bodies out at once.
_OMIT6 = frozenset(e[-6:] for e in _OMIT_ENDINGS)
assert min(map(len, _OMIT_ENDINGS)) >= 6
_CACHE = 50_000  # most dates kept (with several header shapes a "date" is a whole header)
TEXT = MessageKind.TEXT
_BATCH = 64  # records per list handed on (small: records not kept then die young)
_PHONE = re.compile(r"\u202a?\+?[\d \u00a0()\-\u2011]{6,}\u202c?")


def participant(name: str) -> Participant:
    """A Participant for an exported name; phone numbers are also kept as E.164."""
    if name == OWNER:
        return Participant(key=OWNER, name=OWNER, is_owner=True)
    return Participant(key=name, name=name, phone=e164(name))


def e164(name: str) -> str | None:
    """``name`` as an E.164 number when it is one (GB unless it starts with +)."""
    if not _PHONE.fullmatch(name):
        return None
    digits = name.strip("\u202a\u202c")
    try:
        parsed = phonenumbers.parse(digits, None if digits.startswith("+") else "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(slots=True)
class _Pending:
    """A message whose header needed a closer look (a system line, an odd "Name:")."""

    when: datetime
    sender: str | None
    cut: int  # where the message text starts inside its raw text
    system: SystemLine | None


# The message being read, between chunks: None before the first header, else (slow-path
# info or None, sender, line, timestamp, head of the raw text, the rest, line count).
_State = tuple[_Pending | None, str | None, int, Timestamp, str, str, int]


class Emitter:
    """Streams records for one export, using what pass 1 learnt (``scan``)."""

    def __init__(
        self, scan: Scan, conversation: str, path: str, media: Mapping[str, tuple[str, int]]
    ) -> None:
        self.scan = scan
        self.headers: Headers = scan.headers.frozen()
        self.conversation = conversation
        self.path = path
        self.media = media
        self.emitted: set[str] = set()
        self.state: _State | None = None
        # Header pieces read so far (see Headers.day / Headers.clock).
        self.days: dict[str, datetime | None] = {}
        self.clocks: dict[str, timedelta | None] = {}

    def run(self, chunks: Iterator[Chunk | BadLine]) -> Iterator[Record]:
        """Every line becomes part of a Message or a ParseIssue."""
        # Records are made in small lists and handed on by chain (C code): a generator
        # yielding each record would cost a frame switch per record.
        return chain.from_iterable(self._batches(chunks))

    def _batches(self, chunks: Iterator[Chunk | BadLine]) -> Iterator[list[Record]]:
        for item in chunks:
            if isinstance(item, BadLine):
                yield [ParseIssue(self.path, item.line, "not valid UTF-8 text", item.raw)]
                if self.state is not None:
                    slow, sender, line, ts, head, body, lines = self.state
                    self.state = (slow, sender, line, ts, head, body, lines + 1)
            else:
                yield from self._chunk(self.headers.heads.split(item.text), item.line)
        if self.state is not None:
            out: list[Record] = []
            self._finish(out, self.state)
            yield out

    def _chunk(self, parts: list[str], line: int) -> Iterator[list[Record]]:
        """Records for one chunk, split on its headers; ``line`` is its first line.

        They come in small batches, so that records the caller does not keep die young
        (a list of a whole chunk's records costs the garbage collector a lot).
        """
        # This loop runs once per message of the export, so the common case (a known sender's
        # text) is inline, with no call but building the records. ``split`` gives [before,
        # head, date, time, name, text, head, ...] where head is the header and "Name: ".
        out: list[Record] = []
        senders, days, clocks, tnew = self.scan.senders, self.days, self.clocks, tuple.__new__
        conv, path, plain_end, text_kind = self.conversation, self.path, _PLAIN_END, TEXT
        omit6, deleted = _OMIT6, _DELETED
        state = self.state
        stray = ""
        if state is None:
            stray = parts[0]
        else:
            slow, sender, at, ts, head, body, lines = state
            body += parts[0]
            lines += parts[0].count("\n")
        line += parts[0].count("\n") - 1  # the line before the first header
        it = iter(parts)
        next(it)
        for top, date, time, name, piece in zip(it, it, it, it, it, strict=True):
            nl = piece.count("\n") if "\n" in piece else 0  # (most are one line)
            line += 1
            when: datetime | None
            try:
                when = days[date] + clocks[time]  # type: ignore[operator,assignment]
            except (KeyError, TypeError):
                when = self._when(date, time)
            if when is None or name not in senders:
                new = None if when is None else self._header(
                    date + time, name, piece, when, None if state is None else ts.local
                )
                if new is None:  # not a message header: the line belongs to the message before
                    if state is None:
                        stray += "\n" + top + piece
                    else:
                        body += "\n" + top + piece
                        lines += 1 + nl
                    line += nl
                    continue
            else:
                new = None
            if state is None:
                self._strays(out, stray, line - stray.count("\n"))
                state = ()  # type: ignore[assignment]
            elif slow is None:
                if lines:
                    cut = body.find("\n")
                    first = body if cut < 0 else body[:cut]
                else:  # one line, no "\n" to look for
                    cut, first = -1, body
                if (
                    first[-1:] not in ">)" and (cut < 0 or body[-1:] != ">")
                    and (first[-6:] not in omit6 or not first.endswith(plain_end))
                    and ": http" not in first and first[:5] != "POLL:"
                    and (len(first) >= 48 or cut >= 0 or (
                        "call" not in first and first not in deleted and first[:1] != _LRM
                    ))
                ):  # Plain text: read_body would find no marker (see its _markers).
                    out.append(tnew(Message, (
                        conv, sender, ts, text_kind, body, head + body,
                        tnew(SourceRef, (path, at, at + lines, None, None, None, None)), str(at),
                        False, False, None, (),
                    )))
                else:
                    self._sender(out, sender, ts, body, head + body, at, lines)  # type: ignore[arg-type]
            else:
                self._finish(out, (slow, sender, at, ts, head, body, lines))
            if len(out) >= _BATCH:
                yield out
                out = []
            ts = tnew(Timestamp, (when, None))
            at, lines = line, nl
            slow, sender, head, body = new, name, top, piece
            line += nl
        if state is None:
            self._strays(out, stray, line + 1 - stray.count("\n"))
        else:
            self.state = (slow, sender, at, ts, head, body, lines)
        yield out

    def _when(self, date: str, time: str) -> datetime | None:
        """The time of a header whose pieces are not cached yet (or impossible)."""
        if date in self.days:
            day = self.days[date]
        else:
            if len(self.days) > _CACHE:
                self.days.clear()
            day = self.days[date] = self.headers.day(date)
        if time in self.clocks:
            clock = self.clocks[time]
        else:
            clock = self.clocks[time] = self.headers.clock(time)
        if day is None or clock is None:
            return None
        return day + clock

    def _header(
        self, header: str, name: str | None, piece: str, when: datetime, before: datetime | None
    ) -> _Pending | None:
        """The slow path: a header whose "Name: " is not simply a known sender."""
        head = len(header)
        first = piece if name is None else f"{name}: {piece}"
        nl = first.find("\n")
        body = first[:nl] if nl >= 0 else first
        name = self.scan.known(body)
        if name is not None:
            cut = head + len(name) + (2 if body[len(name) + 1 : len(name) + 2] == " " else 1)
            rest = body[cut - head :]
            if rest.startswith(_LRM) or _BANNER.match(rest):
                # Notices (encryption, security code) are written as if the contact sent them;
                # the name and iOS's U+200E are the platform's framing, not the text.
                info, recognised = system_line(rest)
                if recognised:
                    return _Pending(when, None, cut + rest.startswith(_LRM), info)
            return _Pending(when, name, cut, None)
        k = self.headers.groups_of(header)[0] if len(self.headers.shapes) > 1 else 0
        return self._system(body, body.find(": "), k, when, before, head)

    def _system(
        self, body: str, idx: int, k: int, when: datetime, before: datetime | None, head: int
    ) -> _Pending | None:
        """A header without a known sender: a system line, or part of the message before."""
        if before is not None and order_key(when) < order_key(before) - BACKWARD_TOLERANCE:
            return None  # a pasted header from the past for an unknown name
        info, recognised = system_line(body)
        if not recognised and (k != 0 or idx > 0):
            # An unknown "Name: text" never starts a message; nor does an unusual header
            # shape unless it says something we recognise.
            return None
        if idx > 0 and body.startswith(_LRM, idx + 2):
            # iOS writes group notices as "Group name: U+200E text": keep only the text.
            return _Pending(when, None, head + idx + 3, info)
        return _Pending(when, None, head, info)

    def _strays(self, out: list[Record], piece: str, line: int) -> None:
        """Lines before the first header (``piece`` starts with "\n" unless empty)."""
        if not piece:
            return
        for n, stray in enumerate(piece[1:].split("\n"), start=line):
            out.append(ParseIssue(self.path, n, "text before the first message header",
                                  stray.encode("utf-8")))

    def _finish(self, out: list[Record], state: _State) -> None:
        """Records for a message that needed a closer look."""
        slow, sender, line, ts, head, body, lines = state
        raw = head + body
        if slow is None:
            assert sender is not None
            self._sender(out, sender, ts, body, raw, line, lines)
            return
        src = SourceRef(self.path, line, line + lines)
        if slow.sender is not None:
            self._sender(out, slow.sender, ts, raw[slow.cut :], raw, line, lines)
            return
        out.append(Message(self.conversation, None, ts, MessageKind.SYSTEM, raw[slow.cut :], raw,
                           src, key=str(line)))
        if slow.system is not None and slow.system.kind is not None:
            out.extend(self._events(slow.system, ts, src))

    def _sender(
        self, out: list[Record], sender: str, ts: Timestamp, text: str, raw: str, line: int,
        lines: int,
    ) -> None:
        src = SourceRef(self.path, line, line + lines)
        body = read_body(text, self.media)
        if body is None:
            out.append(Message(self.conversation, sender, ts, MessageKind.TEXT, text, raw, src,
                               str(line)))
            return
        kind, text, edited, attachments = body
        out.append(Message(self.conversation, sender, ts, kind, text, raw, src, str(line), edited,
                           False, None, attachments))

    def _events(self, info: SystemLine, ts: Timestamp, src: SourceRef) -> Iterator[Record]:
        assert info.kind is not None
        actor = self._key(info.actor)
        if actor is not None:
            yield from self.people(actor)
        for target in info.targets or (None,):
            key = self._key(target)
            if key is not None:
                yield from self.people(key)
            yield MembershipEvent(self.conversation, info.kind, actor, key, ts, src, info.detail)

    def people(self, key: str) -> Iterator[Record]:
        """A Participant record the first time ``key`` is seen."""
        if key not in self.emitted:
            self.emitted.add(key)
            yield participant(key)

    @staticmethod
    def _key(name: str | None) -> str | None:
        if name is None:
            return None
        name = name.strip("\u200e ")
        return OWNER if name in OWNER_WORDS else name

