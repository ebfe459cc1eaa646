"""Pass 2 of the WhatsApp text parser: turn lines into messages, events and issues."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

import phonenumbers

from conductlens.ingest._whatsapp_body import is_plain, read_body
from conductlens.ingest._whatsapp_dates import order_key
from conductlens.ingest._whatsapp_scan import BACKWARD_TOLERANCE, BadLine, Chunk, Headers, Scan
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
_LRM = "\u200e"
# A known sender's line needs a closer look when it starts with a mark or is the notice.
_SLOW_BODY = re.compile("\u200e|" + _BANNER.pattern)
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
    """The message being read: its header, and where its lines are."""

    line: int
    when: datetime
    sender: str | None
    cut: int  # where the message text starts inside its raw block
    system: SystemLine | None
    start: int = 0  # where the block starts in the current chunk
    carried: str = ""  # the block's lines from earlier chunks
    skipped: int = 0  # undecodable lines inside the block (reported as ParseIssues)


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
        self.pending: _Pending | None = None

    def run(self, chunks: Iterator[Chunk | BadLine]) -> Iterator[Record]:
        """Every line becomes part of a Message or a ParseIssue."""
        for item in chunks:
            if isinstance(item, BadLine):
                yield ParseIssue(self.path, item.line, "not valid UTF-8 text", item.raw)
                if self.pending is not None:
                    self.pending.skipped += 1
            else:
                yield from self._chunk(item.text, item.line)
        p = self.pending
        if p is not None:
            out: list[Record] = []
            self._emit(out, p, p.carried)
            yield from out

    def _chunk(self, text: str, line: int) -> list[Record]:
        """Records for one chunk; ``line`` is the number of the line at ``pos``."""
        # This loop runs once per message of the export; the common case is kept inline.
        out: list[Record] = []
        senders, readers = self.scan.senders, self.headers.readers
        split, multi = self.headers.split, len(readers) > 1
        conv, path, slow = self.conversation, self.path, _SLOW_BODY.match
        p, pos = self.pending, 0
        for m in self.headers.with_name.finditer(text):
            g = m.groups()
            k, dg = split(g[:-1]) if multi else (0, g)
            when = readers[k].read(dg)
            if when is None:
                continue
            start, e = m.start(), m.end()
            name = g[-1]
            new = None
            if name is None or name not in senders or slow(text, e):
                new = self._header(text, m, k, when, p)
                if new is None:
                    continue
            if p is None:
                self._strays(out, text[pos:start], line)
            elif p.sender is not None and not p.carried:
                raw = text[p.start : start - 1]
                body = raw[p.cut :]
                if is_plain(body):
                    out.append(Message(
                        conv, p.sender, Timestamp(p.when), MessageKind.TEXT, body, raw,
                        SourceRef(path, p.line, p.line + raw.count("\n")), str(p.line),
                    ))
                else:
                    self._emit(out, p, raw + "\n")
            else:
                self._emit(out, p, p.carried + text[p.start : start])
            line += text.count("\n", pos, start)
            pos = start
            if new is None:
                p = _Pending(line, when, name, e - start, None, start)
            else:
                new.line, new.start, p = line, start, new
        if p is None:
            self._strays(out, text[pos:], line)
        else:
            p.carried, p.start = p.carried + text[p.start :], 0
        self.pending = p
        return out

    def _header(
        self, text: str, m: re.Match[str], k: int, when: datetime, before: _Pending | None
    ) -> _Pending | None:
        """The slow path: a header whose "Name: " is not simply a known sender."""
        last = m.re.groups  # the optional "Name: " group
        e = m.start(last) if m.group(last) is not None else m.end()
        head = e - m.start()
        nl = text.find("\n", e)
        body = text[e:nl] if nl >= 0 else text[e:]
        name = self.scan.known(body)
        if name is not None:
            cut = head + len(name) + (2 if body[len(name) + 1 : len(name) + 2] == " " else 1)
            rest = body[cut - head :]
            if rest.startswith(_LRM) or _BANNER.match(rest):
                # Notices (encryption, security code) are written as if the contact sent them.
                info, recognised = system_line(rest)
                if recognised:
                    return _Pending(0, when, None, head, info)
            return _Pending(0, when, name, cut, None)
        return self._system(body, body.find(": "), k, when, before, head)

    def _system(
        self, body: str, idx: int, k: int, when: datetime, before: _Pending | None, head: int
    ) -> _Pending | None:
        """A header without a known sender: a system line, or part of the message before."""
        if before is not None and order_key(when) < order_key(before.when) - BACKWARD_TOLERANCE:
            return None  # a pasted header from the past for an unknown name
        info, recognised = system_line(body)
        if not recognised and (k != 0 or idx > 0):
            # An unknown "Name: text" never starts a message; nor does an unusual header
            # shape unless it says something we recognise.
            return None
        return _Pending(0, when, None, head, info)

    def _strays(self, out: list[Record], piece: str, line: int) -> None:
        """Lines before the first header."""
        if not piece:
            return
        strays = piece.split("\n")
        if piece.endswith("\n"):
            strays.pop()
        for n, stray in enumerate(strays, start=line):
            out.append(ParseIssue(self.path, n, "text before the first message header",
                                  stray.encode("utf-8")))

    def _emit(self, out: list[Record], p: _Pending, block: str) -> None:
        raw = block[:-1] if block.endswith("\n") else block
        ts = Timestamp(local=p.when)
        src = SourceRef(self.path, p.line, p.line + raw.count("\n") + p.skipped)
        if p.sender is not None:
            text = raw[p.cut :]
            body = read_body(text, self.media)
            if body is None:
                out.append(Message(self.conversation, p.sender, ts, MessageKind.TEXT, text, raw,
                                   src, key=str(p.line)))
                return
            out.append(Message(
                self.conversation, p.sender, ts, body.kind, body.text, raw, src,
                key=str(p.line), edited=body.edited, attachments=body.attachments,
            ))
            return
        out.append(Message(self.conversation, None, ts, MessageKind.SYSTEM, raw[p.cut :], raw, src,
                           key=str(p.line)))
        if p.system is not None and p.system.kind is not None:
            out.extend(self._events(p.system, ts, src))

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

