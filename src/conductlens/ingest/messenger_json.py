"""Facebook / Instagram Messenger "Download your information" exports in JSON.

Reads the classic layout (``messages/inbox/<thread>/message_N.json``, newest file first),
the end-to-end-encrypted layout (``messages/<thread>.json`` with ``senderName``/``timestamp``),
a single thread JSON file, and a zip of any of these. The HTML layout is refused (see docs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, ClassVar

from conductlens.errors import ParseError
from conductlens.ingest._export_files import ExportTree, head_text, load_json
from conductlens.ingest._messenger_html import html_thread
from conductlens.ingest._messenger_thread import Thread, thread_header, thread_records
from conductlens.ingest.base import ParseOptions, Source
from conductlens.model import ExhibitWarning, ParseIssue, Record

_PART = re.compile(r"(?:^|/)message_(\d+)\.(json|html)$")
_RAW_LIMIT = 64 * 1024


class MessengerJson:
    """Facebook Messenger / Instagram DM JSON export (file, folder or zip)."""

    name: ClassVar[str] = "messenger-json"
    description: ClassVar[str] = "Facebook/Instagram Messenger JSON export (message_N.json)"

    def sniff(self, source: Source) -> float:
        """High for Messenger's keys in a file, or message_N.json files in a folder/zip."""
        if source.kind == "file":
            head = head_text(source)
            if '"messages"' in head and '"timestamp_ms"' in head and '"sender_name"' in head:
                return 0.9
            if '"senderName"' in head and '"threadName"' in head and '"messages"' in head:
                return 0.85
            return 0.6 if "<html" in head.lower() and "Participants:" in head else 0.0
        names = source.members
        if any(_PART.search(m) and m.endswith(".json") for m in names):
            return 0.9
        if any(_is_e2ee_candidate(m) for m in names):
            return 0.5
        if any(_PART.search(m) for m in names):
            return 0.8  # the HTML layout
        return 0.0

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream every thread found; broken files become ParseIssues, not failures."""
        tree = ExportTree(source)
        if source.kind == "file" and source.head.lstrip()[:1] == b"<":
            yield from html_thread(tree, source.path.stem, "", [""], set())
            return
        if source.kind == "file":
            doc = load_json(tree, "")
            if not _is_thread(doc):
                raise ParseError(str(source.path), "not a Messenger thread (no 'messages' list)")
            thread = thread_header(source.path.stem, "", doc)
            thread.entries = _entries("", doc)
            yield from thread_records(tree, thread, set())
            return
        yield from _parse_tree(tree)


def _is_e2ee_candidate(member: str) -> bool:
    path = PurePosixPath(member)
    return path.suffix == ".json" and path.parent.name == "messages"


def _is_thread(doc: object) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("messages"), list)


def _entries(member: str, doc: dict[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    return [(member, i, m) for i, m in enumerate(doc["messages"]) if isinstance(m, dict)]


def _groups(
    members: tuple[str, ...]
) -> tuple[dict[str, list[str]], dict[str, list[str]], int]:
    """JSON files per thread folder (by N), HTML-only threads, HTML files beside JSON."""
    groups: dict[str, list[str]] = {}
    html: dict[str, list[str]] = {}
    for member in members:
        match = _PART.search(member)
        folder = str(PurePosixPath(member).parent)
        if match and match.group(2) == "json":
            groups.setdefault(folder, []).append(member)
        elif match:
            html.setdefault(folder, []).append(member)
        elif _is_e2ee_candidate(member):
            groups[member] = [member]
    for files in (*groups.values(), *html.values()):
        files.sort(key=lambda m: int(m2.group(1)) if (m2 := _PART.search(m)) else 0)
    html_only = {folder: files for folder, files in html.items() if folder not in groups}
    beside = sum(len(files) for folder, files in html.items() if folder in groups)
    return groups, html_only, beside


def _parse_tree(tree: ExportTree) -> Iterator[Record]:
    groups, html_only, beside = _groups(tree.source.members)
    loaded = failed = 0
    hashed: set[str] = set()
    for folder, files in sorted(html_only.items()):
        try:
            records = list(html_thread(tree, folder, folder, files, hashed))
        except ParseError as exc:
            failed += 1
            yield _issue(tree, files[0], exc.reason, exc.line)
            continue
        loaded += 1
        yield from records
    for key, files in sorted(groups.items()):
        thread, issues = _load_thread(tree, key, files)
        yield from issues
        failed += len(issues)
        if thread is not None:
            loaded += 1
            yield from thread_records(tree, thread, hashed)
    if loaded == 0:
        raise ParseError(tree.label, f"no readable Messenger thread ({failed} file(s) broken)")
    if beside:
        yield ExhibitWarning(f"{beside} Messenger HTML file(s) beside JSON of the same thread "
                             "were not read (the JSON was used)")
    if failed:
        yield ExhibitWarning(f"{failed} Messenger file(s) could not be read; see unparsed")


def _load_thread(
    tree: ExportTree, key: str, files: list[str]
) -> tuple[Thread | None, list[Record]]:
    thread: Thread | None = None
    issues: list[Record] = []
    for member in files:
        try:
            doc = load_json(tree, member)
        except ParseError as exc:
            issues.append(_issue(tree, member, exc.reason, exc.line))
            continue
        if not _is_thread(doc):
            issues.append(_issue(tree, member, "JSON file is not a Messenger thread"))
            continue
        if thread is None:
            folder = str(PurePosixPath(member).parent)
            thread = thread_header(key, folder, doc)
        thread.entries += _entries(member, doc)
    return thread, issues


def _issue(tree: ExportTree, member: str, reason: str, line: int | None = None) -> ParseIssue:
    try:
        raw = tree.head(member, _RAW_LIMIT)
    except (OSError, ParseError):
        raw = b""
    return ParseIssue(path=member, line=line, reason=reason, raw=raw)
