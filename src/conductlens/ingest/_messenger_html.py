"""Messenger's HTML layout (``message_N.html``), read with the standard library parser.

Facebook changes its class names often, so we rely on shape, not classes: a message is a
``div`` whose child ``div``s are sender, body part(s) and, last, a time we can parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser

from conductlens.errors import ParseError
from conductlens.ingest._export_files import ExportTree, resolve_relative
from conductlens.ingest._text import decode_strict
from conductlens.model import (
    Attachment,
    Conversation,
    MediaFile,
    Message,
    MessageKind,
    Participant,
    Record,
    SourceRef,
    Timestamp,
)

_VOID = {"img", "br", "meta", "link", "input", "hr", "source", "wbr"}
_TIME_FORMATS = (
    "%b %d, %Y, %I:%M %p", "%b %d, %Y at %I:%M %p", "%d %b %Y, %H:%M",
    "%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%d %B %Y, %H:%M",
)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    line: int
    end_line: int = 0
    children: list[Node | str] = field(default_factory=list)

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def text(self) -> str:
        parts = [c if isinstance(c, str) else ("\n" if c.tag == "br" else c.text())
                 for c in self.children]
        return "".join(parts)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.elements():
            yield from child.walk()


class _Builder(HTMLParser):
    """A forgiving tree builder: unclosed tags are closed by their parent's end tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, 1)
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)
        else:
            node.end_line = node.line

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                for node in self.stack[depth:]:
                    node.end_line = self.getpos()[0]
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_time(text: str) -> datetime | None:
    """The displayed local time of a message, in any layout we have seen."""
    clean = " ".join(text.split())
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(clean, fmt)
        except ValueError:
            continue
    return None


def html_thread(
    tree: ExportTree, key: str, folder: str, files: list[str], hashed: set[str]
) -> Iterator[Record]:
    """Conversation, participants and messages of one HTML thread (files in order)."""
    found: list[tuple[datetime, str, Node, list[str]]] = []
    title: str | None = None
    names: list[str] = []
    for member in files:
        data = tree.read(member)
        lines = decode_strict(data, member).splitlines()
        builder = _Builder()
        builder.feed("\n".join(lines))
        builder.close()
        title = title or _title(builder.root)
        names = names or _participants(builder.root)
        found += [(when, member, node, lines) for when, node in _blocks(builder.root)]
    if not found:
        raise ParseError(files[0], "no messages found in the Messenger HTML page")
    yield Conversation(key=key, platform="messenger", title=title, is_group=len(names) > 2,
                       source=SourceRef(path=folder))
    for name in names:
        yield Participant(key=name, name=name)
    found.sort(key=lambda item: item[0])
    for seq, (when, member, node, lines) in enumerate(found, start=1):
        yield from _message(tree, folder, f"{key}#{seq}", when, member, node, lines, hashed)


def _title(root: Node) -> str | None:
    for node in root.walk():
        if node.tag == "title":
            return node.text().strip() or None
    return None


def _participants(root: Node) -> list[str]:
    for node in root.walk():
        text = node.text().strip()
        if not node.elements() and text.startswith("Participants:"):
            return [n.strip() for n in text.removeprefix("Participants:").split(",") if n.strip()]
    return []


def _blocks(root: Node) -> Iterator[tuple[datetime, Node]]:
    for node in root.walk():
        kids = node.elements()
        if node.tag != "div" or len(kids) < 3 or any(k.tag != "div" for k in kids):
            continue
        when = parse_time(kids[-1].text())
        if when is not None and kids[0].text().strip():
            yield when, node


def _message(
    tree: ExportTree, folder: str, key: str, when: datetime, member: str, node: Node,
    lines: list[str], hashed: set[str],
) -> Iterator[Record]:
    kids = node.elements()
    body: list[str] = []
    attachments: list[Attachment] = []
    for part in kids[1:-1]:
        links = [_link(n) for n in part.walk()]
        if any(links):
            for link in filter(None, links):
                att, file = _attachment(tree, folder, link, hashed)
                attachments.append(att)
                if file is not None:
                    yield file
        else:
            body.append(part.text().strip())
    yield Message(
        conversation=key, sender=kids[0].text().strip(), timestamp=Timestamp(local=when),
        kind=MessageKind.MEDIA if attachments and not any(body) else MessageKind.TEXT,
        text="\n".join(b for b in body if b), raw="\n".join(lines[node.line - 1:node.end_line]),
        source=SourceRef(path=member, line=node.line, line_end=node.end_line), key=key,
        attachments=tuple(attachments),
    )


def _link(node: Node) -> str:
    """A media file the node points at; web links stay part of the message text."""
    if node.tag in ("img", "video", "audio", "source"):
        return node.attrs.get("src", "")
    href = node.attrs.get("href", "") if node.tag == "a" else ""
    return "" if ":" in href.split("/", 1)[0] or href.startswith("#") else href


def _attachment(
    tree: ExportTree, folder: str, link: str, hashed: set[str]
) -> tuple[Attachment, MediaFile | None]:
    name = link.rsplit("/", 1)[-1]
    member = resolve_relative(tree, folder, link) if tree.source.kind != "file" else None
    if member is None:
        return Attachment(file_name=name, kind="media"), None
    sha, size = tree.hash(member)
    media = None if member in hashed else MediaFile(path=member, sha256=sha, size=size)
    hashed.add(member)
    return Attachment(file_name=name, kind="media", size=size, sha256=sha), media
