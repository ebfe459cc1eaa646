"""Hash lists in ThreatExchange's own formats (the ``threatexchange`` package, 1.2.17).

Two formats, read from the package's source rather than guessed:

- ``te-file``: what its ``local_file`` exchange reads (``exchanges/impl/file_api.py``): one
  signal a line, ``<signal type> <signal>`` (``pdq 5d5d...``), the form ``threatexchange hash``
  prints and ``report_opinion`` appends. A bare signal takes the collaboration's signal type
  there; here a bare line must be a PDQ hash.
- ``te-csv``: what ``threatexchange dataset -P --csv`` writes (``cli/dataset_cmd.py``): a
  header ``signal_type,signal_str,collab,category,tags``, ``category`` the opinion
  (``POSITIVE_CLASS``, ``INVESTIGATION_SEED``, ``NEGATIVE_CLASS``), ``tags`` space-separated.

Signal types: ``pdq`` is a PDQ hash (64 hex digits, as here); ``video_md5`` and
``video_sha256`` are exact hashes; ``vpdq`` is a JSON list of ``"hex,quality,timestamp"``
frames, imported as one PDQ entry per frame of quality 50 or more (ThreatExchange's own vPDQ
quality threshold). Other types (URLs, text, TLSH) are not image or video hashes: they are
skipped and counted. A NEGATIVE_CLASS row (ThreatExchange: false positives or test data) is
skipped too. A bad hash stops the import with ``FILE:LINE: field: reason``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from conductlens.errors import ConductLensError
from conductlens.images.hashlists import (
    DEFAULT_CATEGORY,
    HASH_LENGTHS,
    SEALING_CATEGORIES,
    Entry,
    list_rows,
)

FORMATS = ("csv", "te-file", "te-csv")
CSV_HEADER = ("signal_type", "signal_str", "collab", "category", "tags")
EXACT_TYPES = {"pdq": "pdq", "video_md5": "md5", "video_sha256": "sha256"}
EXPORTED_TYPES = {"pdq": "pdq"}  # ThreatExchange has no picture MD5/SHA-1/SHA-256 type
VPDQ_QUALITY = 50
POSITIVE = "POSITIVE_CLASS"
OPINIONS = ("NEGATIVE_CLASS", "INVESTIGATION_SEED", POSITIVE)
_HEX = frozenset("0123456789abcdef")


@dataclass
class TeRead:
    """What a ThreatExchange file held: entries to import, and what was skipped, by why."""

    entries: list[Entry] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConductLensError(f"{path}: cannot read as UTF-8 text: {exc}") from exc


def _hash(where: str, kind: str, value: str) -> str:
    value = value.strip().lower()
    if len(value) != HASH_LENGTHS[kind] or not set(value) <= _HEX:
        raise ConductLensError(
            f"{where}: signal: a {kind} hash is {HASH_LENGTHS[kind]} hex digits, got {value!r}")
    return value


def _signal(out: TeRead, where: str, signal_type: str, signal: str, category: str,
            source: str | None) -> None:
    signal_type = signal_type.strip().lower()
    if signal_type in EXACT_TYPES:
        kind = EXACT_TYPES[signal_type]
        out.entries.append(Entry(kind, _hash(where, kind, signal), category, source))
    elif signal_type == "vpdq":
        out.entries.extend(_vpdq_frames(where, signal, category, source))
    else:
        out.skipped[f"signal type {signal_type or '(none)'}"] += 1


def _vpdq_frames(where: str, signal: str, category: str, source: str | None) -> list[Entry]:
    try:
        frames = json.loads(signal)
        if not isinstance(frames, list):
            raise ValueError("not a list")
        parts = [str(f).split(",") for f in frames]
        kept = [(h, float(ts)) for h, q, ts in parts if int(q) >= VPDQ_QUALITY]
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise ConductLensError(f"{where}: signal: not a vPDQ signal ({exc})") from exc
    said = f"{source}; " if source else ""
    return [Entry("pdq", _hash(where, "pdq", h), category, f"{said}vPDQ frame at {ts:.3f} s")
            for h, ts in kept]


def read_te_file(path: Path, default_category: str | None) -> TeRead:
    """Every signal in a ThreatExchange ``local_file`` signal file."""
    out = TeRead()
    category = default_category or DEFAULT_CATEGORY
    for line, text in enumerate(_text(path).splitlines(), start=1):
        text = text.strip()
        if not text:
            continue
        signal_type, _, signal = text.partition(" ")
        if not signal:  # a bare signal: only a PDQ hash can be read without its type
            signal_type, signal = "pdq", text
        _signal(out, f"{path}:{line}", signal_type, signal.strip(), category, None)
    return out


def read_te_csv(path: Path, default_category: str | None) -> TeRead:
    """Every row of a ``threatexchange dataset --csv`` file."""
    rows = csv.DictReader(io.StringIO(_text(path), newline=""))
    header = tuple(h.strip().lower() for h in rows.fieldnames or ())
    if not {"signal_type", "signal_str"} <= set(header):
        raise ConductLensError(f"{path}:1: header: must have signal_type and signal_str "
                               f"({','.join(CSV_HEADER)})")
    out = TeRead()
    for line, row in enumerate(rows, start=2):
        cells = {k.strip().lower(): (v or "") for k, v in row.items() if k is not None}
        if not any(cells.values()):
            continue
        opinion = cells.get("category", "").strip().upper()
        if opinion and opinion not in OPINIONS:
            raise ConductLensError(f"{path}:{line}: category: {opinion!r} is not one of "
                                   f"{', '.join(OPINIONS)}")
        if opinion == "NEGATIVE_CLASS":
            out.skipped["NEGATIVE_CLASS"] += 1
            continue
        category = _category(cells.get("tags", ""), default_category)
        _signal(out, f"{path}:{line}", cells["signal_type"], cells["signal_str"], category,
                cells.get("collab", "").strip() or None)
    return out


def _category(tags: str, default_category: str | None) -> str:
    # A sealing tag wins wherever it stands: the stop must never depend on the tags' order.
    words = [w.strip().lower() for w in tags.split() if w.strip()]
    sealing = [w for w in words if w in SEALING_CATEGORIES]
    return (sealing or words or [default_category or DEFAULT_CATEGORY])[0]


@dataclass
class TeExport:
    """The text of an export, and how many hashes ThreatExchange has no type for."""

    text: str
    written: int
    left_out: Counter[str]


def export_te(conn: Connection, list_name: str | None, fmt: str) -> TeExport:
    """One list (or all) as a ThreatExchange signal file (``te-file``) or CSV (``te-csv``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "te-csv":
        writer.writerow(CSV_HEADER)
    written, left_out = 0, Counter[str]()
    for r in list_rows(conn, list_name):
        signal_type = EXPORTED_TYPES.get(r["hash_type"])
        if signal_type is None:
            left_out[r["hash_type"]] += 1
            continue
        written += 1
        if fmt == "te-file":
            buffer.write(f"{signal_type} {r['hash']}\n")
        else:
            tag = "-".join(str(r["category"]).split())
            writer.writerow([signal_type, r["hash"], r["name"], POSITIVE, tag])
    return TeExport(buffer.getvalue(), written, left_out)
