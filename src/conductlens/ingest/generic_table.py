"""The generic table format: CSV (header row required) or JSON Lines, one message per row.

For anything ConductLens cannot read natively (e.g. a forensic tool's export converted by
hand). Columns/keys: ``conversation, timestamp, sender, text`` (required) and ``kind,
sender_phone, message_id, reply_to, attachment, edited`` (optional). See docs/formats.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from conductlens.errors import ParseError
from conductlens.ingest._generic_rows import KNOWN, RowContext, header_matches, row_records
from conductlens.ingest.base import ParseOptions, Source
from conductlens.model import ExhibitWarning, ParseIssue, Record

if TYPE_CHECKING:
    from _csv import Reader as _CsvReader

# A CSV field may hold a long message, but not a whole file: cap it to bound memory.
csv.field_size_limit(16 * 1024 * 1024)


def _first_line(source: Source) -> str:
    head = source.head.removeprefix(codecs.BOM_UTF8)
    return head.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "ignore")


def _require_file(source: Source) -> None:
    if source.kind != "file":
        raise ParseError(str(source.path), "the generic format is one CSV or JSONL file")


class GenericCsv:
    """CSV with exactly the documented header (UTF-8, comma-separated)."""

    name: ClassVar[str] = "generic-csv"
    description: ClassVar[str] = "Generic CSV: conversation,timestamp,sender,text,... header"

    def sniff(self, source: Source) -> float:
        """Only an exact header match counts, so other formats' CSVs are never taken."""
        if source.kind != "file":
            return 0.0
        try:
            header = next(csv.reader([_first_line(source)]))
        except (csv.Error, StopIteration):
            return 0.0
        return 0.95 if header_matches(header) and len(set(header)) == len(header) else 0.0

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream rows; a bad row is a ParseIssue with its line numbers."""
        _require_file(source)
        ctx = RowContext()
        with source.path.open("rb") as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="strict", newline="")
            reader = csv.reader(text)
            try:
                yield from _csv_rows(reader, str(source.path), ctx)
            except UnicodeDecodeError as exc:
                raise ParseError(str(source.path), "not valid UTF-8 text",
                                 reader.line_num + 1) from exc
            except csv.Error as exc:
                raise ParseError(str(source.path), f"broken CSV: {exc}", reader.line_num) from exc


def _csv_rows(reader: _CsvReader, path: str, ctx: RowContext) -> Iterator[Record]:
    header = next(reader, None)
    if header is None or not header_matches(header):
        raise ParseError(path, "first row is not the generic header "
                         "(conversation,timestamp,sender,text,...)", 1)
    names = [h.strip() for h in header]
    previous = reader.line_num
    for fields in reader:
        line, line_end = previous + 1, reader.line_num
        previous = reader.line_num
        raw = _csv_raw(fields)
        if not fields:
            continue  # a blank line carries nothing
        if len(fields) != len(names):
            yield ParseIssue(path="", line=line, reason=f"expected {len(names)} fields, "
                             f"found {len(fields)}", raw=raw.encode("utf-8"))
            continue
        yield from row_records(dict(zip(names, fields, strict=True)), raw, line, line_end, ctx)


def _csv_raw(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


class GenericJsonl:
    """JSON Lines: one object per line with exactly the documented keys."""

    name: ClassVar[str] = "generic-jsonl"
    description: ClassVar[str] = "Generic JSON Lines: {conversation, timestamp, sender, text}"

    def sniff(self, source: Source) -> float:
        """Only when the first line is an object with exactly our keys."""
        if source.kind != "file":
            return 0.0
        try:
            first = json.loads(_first_line(source))
        except (json.JSONDecodeError, RecursionError):
            return 0.0
        return 0.95 if isinstance(first, dict) and header_matches(list(first)) else 0.0

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]:
        """Stream lines; a bad line is a ParseIssue with its raw bytes."""
        _require_file(source)
        ctx = RowContext()
        unknown: set[str] = set()
        with source.path.open("rb") as fh:
            for number, data in enumerate(fh, start=1):
                if number == 1:
                    data = data.removeprefix(codecs.BOM_UTF8)
                if not data.strip():
                    continue
                yield from _jsonl_line(data, number, ctx, unknown)
        if unknown:
            yield ExhibitWarning(f"keys not in the generic format were ignored (kept in raw): "
                                 f"{', '.join(sorted(unknown))}")


def _jsonl_line(data: bytes, number: int, ctx: RowContext, unknown: set[str]) -> Iterator[Record]:
    try:
        text = data.decode("utf-8")
        row = json.loads(text)
    except UnicodeDecodeError:
        yield ParseIssue(path="", line=number, reason="not valid UTF-8", raw=data)
        return
    except (json.JSONDecodeError, RecursionError) as exc:
        yield ParseIssue(path="", line=number, reason=f"not valid JSON: {exc}", raw=data)
        return
    if not isinstance(row, dict):
        yield ParseIssue(path="", line=number, reason="line is not a JSON object", raw=data)
        return
    unknown.update(str(k) for k in row if k not in KNOWN)
    yield from row_records(row, text.rstrip("\r\n"), number, number, ctx)
