"""WhatsApp "Export chat" text files, plain (``.txt``) or zipped with their media.

Two streaming passes: the first learns the header shapes, the day/month order and the
senders; the second emits records. See docs/formats/whatsapp-text.md.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from itertools import chain
from pathlib import PurePosixPath
from typing import IO, ClassVar

from conductlens.errors import ParseError
from conductlens.ingest._archives import hash_member, open_member
from conductlens.ingest._whatsapp_chunks import Endings, Opener, iter_chunks
from conductlens.ingest._whatsapp_cues import language_cue
from conductlens.ingest._whatsapp_dates import GENERAL, shape_of
from conductlens.ingest._whatsapp_emit import OWNER, Emitter, participant
from conductlens.ingest._whatsapp_scan import Headers, Scan, first_pass
from conductlens.ingest.base import ParseOptions, Source
from conductlens.model import Conversation, ExhibitWarning, MediaFile, Record, SourceRef

PLATFORM = "whatsapp"
_TITLE = re.compile(
    r"(?:WhatsApp[ -]Chat (?:with|mit|met|-)|Chat de WhatsApp con|Discussion WhatsApp avec"
    r"|Conversa do WhatsApp com|Chat WhatsApp con|WhatsApp-chat met|WhatsApp-keskustelu"
    r" (?:henkilön|ryhmän)?) ?(?P<title>.+?)(?: \(\d+\))?\.(?:txt|zip)",
    re.IGNORECASE,
)
_CHAT_NAMES = re.compile(r"(?:_chat|.*whatsapp.*|.*chat.*)\.txt", re.IGNORECASE)
# More than this share of undecodable lines means the file is in another encoding.
_BAD_LINE_SHARE = 20


class WhatsAppText:
    """WhatsApp chat export (.txt, or .zip with media) from Android or iOS, any locale."""

    name: ClassVar[str] = "whatsapp-text"
    description: ClassVar[str] = "WhatsApp 'Export chat' text (.txt or .zip with media)"

    def sniff(self, source: Source) -> float:
        """0.9 for a text file whose head has WhatsApp headers; 0.95 for such a zip."""
        if source.kind == "file":
            return _chat_score(source.head)
        if source.kind != "zip":
            return 0.0
        member = chat_member(source.members)
        if member is None:
            return 0.0
        try:
            with (
                zipfile.ZipFile(source.path) as zf,
                open_member(zf, str(source.path), member) as fh,
            ):
                head = fh.read(65536)
        except (ParseError, zipfile.BadZipFile, OSError, RuntimeError, EOFError):
            return 0.5  # named like a chat but unreadable: parse() will say why
        return 0.95 if _chat_score(head) > 0.5 else 0.0

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream the records of one export."""
        if source.kind == "zip":
            yield from self._parse_zip(source, options)
        elif source.kind == "file":
            path = source.path
            yield from parse_text(lambda: path.open("rb"), "", path.name, options, {}, str(path))
        else:
            raise ParseError(str(source.path), "a WhatsApp export is a .txt or .zip file")

    def _parse_zip(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        archive = str(source.path)
        member = chat_member(source.members)
        if member is None:
            raise ParseError(archive, "no WhatsApp chat text (.txt) inside the zip")
        with zipfile.ZipFile(source.path) as zf:
            media: dict[str, tuple[str, int]] = {}
            for name in source.members:
                if name == member:
                    continue
                sha, size = hash_member(zf, archive, name)
                media.setdefault(PurePosixPath(name).name, (sha, size))
                media[name] = (sha, size)
                yield MediaFile(path=name, sha256=sha, size=size)

            def opener() -> IO[bytes]:
                return open_member(zf, archive, member)

            title_from = member if _TITLE.fullmatch(PurePosixPath(member).name) else source.name
            yield from parse_text(opener, member, title_from, options, media, archive)


def parse_text(
    opener: Opener, path: str, title_from: str, options: ParseOptions,
    media: dict[str, tuple[str, int]], where: str,
) -> Iterator[Record]:
    """Both passes over one chat text; ``path`` is its name inside the exhibit.

    Pass 1 runs now; the records of pass 2 come as they are read. (Not a generator, so each
    record passes through one generator frame less.)
    """
    label = path or where
    endings = Endings()
    scan = _scan(opener, label, options.locale, endings)
    head: list[Record] = list(_warnings(scan, label))
    ends = endings.warning(label)
    if ends:
        head.append(ExhibitWarning(ends))
    conversation = f"whatsapp:{path or title_from}"
    head.append(Conversation(
        key=conversation, platform=PLATFORM, title=_title(title_from, scan),
        is_group=len(scan.senders) > 2 or scan.group_events, source=SourceRef(path=path),
    ))
    emitter = Emitter(scan, conversation, path, media)
    for name in scan.senders:
        head.extend(emitter.people(name))
    if scan.group_events:
        head.extend(emitter.people(OWNER))
    return chain(head, emitter.run(iter_chunks(opener, label)))


def _scan(opener: Opener, label: str, locale: str, endings: Endings) -> Scan:
    scan = first_pass(iter_chunks(opener, label, endings), locale, None)
    if scan.header_lines == 0:
        raise ParseError(label, "no WhatsApp message lines found")
    if scan.bad_lines >= 2 and scan.bad_lines * _BAD_LINE_SHARE > scan.lines:
        raise ParseError(
            label, f"{scan.bad_lines} of {scan.lines} lines are not UTF-8 (another encoding?)"
        )
    headers = scan.headers
    if any(_open_question(headers, i) for i in range(len(headers.shapes))):
        cue = language_cue(iter_chunks(opener, label))
        headers.cue = (cue.day_first, cue.basis) if cue is not None else None
    finals = {i: headers.order(i) for i in range(len(headers.shapes))}
    if any(headers.used[i] != {finals[i].day_first} for i in finals):
        # The order decided at the end differs from the one used early on: read again so the
        # in-order checks use the right dates.
        scan = first_pass(iter_chunks(opener, label), locale, finals)
    return scan


def _open_question(headers: Headers, i: int) -> bool:
    """True when the data does not settle shape ``i``'s day/month order."""
    order = headers.order(i)
    return not order.certain and not headers.shapes[i].year_first and headers.counts[i] > 0


def _warnings(scan: Scan, label: str) -> Iterator[Record]:
    headers = scan.headers
    for i in range(len(headers.shapes)):
        if not _open_question(headers, i):
            continue
        order = headers.order(i)
        how = "day/month" if order.day_first else "month/day"
        yield ExhibitWarning(
            f"{label}: dates read as {how} because {order.basis}; no line settled the order"
        )


def _title(title_from: str, scan: Scan) -> str | None:
    m = _TITLE.fullmatch(PurePosixPath(title_from).name)
    if m is not None:
        return m["title"]
    return scan.banner_title or scan.subject


def chat_member(members: tuple[str, ...]) -> str | None:
    """The chat text inside a WhatsApp zip (``_chat.txt``, ``WhatsApp Chat with X.txt``...)."""
    texts = [m for m in members if m.lower().endswith(".txt") and "__MACOSX" not in m]
    for member in texts:
        if PurePosixPath(member).name == "_chat.txt":
            return member
    named = [m for m in texts if _CHAT_NAMES.fullmatch(PurePosixPath(m).name)]
    if named:
        return named[0]
    return texts[0] if len(texts) == 1 else None


def _chat_score(head: bytes) -> float:
    """0.9 when several head lines are WhatsApp headers; 0.5 for signal-export's shape."""
    lines = _head_text(head).splitlines()[:60]
    shapes = []
    for line in lines:
        m = GENERAL.match(line)
        shape = shape_of(m) if m is not None else None
        if shape is not None:
            shapes.append(shape)
    hits = len(shapes)
    if not (hits >= 3 or (hits >= 1 and hits * 2 >= len([x for x in lines if x.strip()]))):
        return 0.0
    # "[2019-12-24, 12:23] Name: text" is what signal-export writes; WhatsApp puts seconds
    # in bracketed headers and never writes ISO dates in brackets.
    if all(s.bracket and s.year_first and s.date_sep == "-" and not s.seconds for s in shapes):
        return 0.5
    return 0.9


def _head_text(head: bytes) -> str:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="ignore")
    # Sniffing only: a cut multi-byte character at the end of the head must not hide a chat.
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


__all__ = ["WhatsAppText", "chat_member", "participant"]
