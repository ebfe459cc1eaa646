"""The one small interface every chat format implements."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol
from zoneinfo import ZoneInfo

from conductlens.ingest.limits import active, check_zip_entries
from conductlens.model import Record

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What the user told us about an exhibit. ``timezone`` None means "unknown"."""

    locale: str = "en-GB"
    timezone: ZoneInfo | None = None


@dataclass(slots=True)
class Source:
    """An exhibit on disk: a file, a zip archive or an export folder.

    ``head`` holds the first bytes of a plain file so ``sniff`` needs no I/O of its own;
    ``members`` lists the names inside a zip or (relative, '/'-separated) inside a folder.
    """

    path: Path
    head: bytes = b""
    members: tuple[str, ...] = ()
    kind: str = "file"  # "file" | "zip" | "dir"
    # Where the exhibit came from when ``path`` is its staging copy (for sidecar warnings).
    origin: Path | None = None
    _zip_cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: Path) -> Source:
        """Look at ``path`` without reading it whole."""
        if path.is_dir():
            names = sorted(
                p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()
            )
            return cls(path=path, members=tuple(names), kind="dir")
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                infos = [i for i in zf.infolist() if not i.is_dir()]
                sizes = [(i.filename, i.file_size, i.compress_size) for i in infos]
                check_zip_entries(str(path), sizes, active())
                names = [i.filename for i in infos]
            return cls(path=path, head=head, members=tuple(names), kind="zip")
        return cls(path=path, head=head, kind="file")

    @property
    def name(self) -> str:
        return self.path.name

    def original(self, inside: Path) -> Path:
        """``inside`` (under a folder exhibit, or beside a file one) where the original is."""
        if self.origin is None:
            return inside
        if self.kind == "dir":
            return self.origin / inside.relative_to(self.path)
        return self.origin.parent / inside.relative_to(self.path.parent)


class Parser(Protocol):
    """A chat format. ``sniff`` scores 0..1 from cheap looks; ``parse`` streams records."""

    name: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, source: Source) -> float: ...

    def parse(self, source: Source, options: ParseOptions) -> Iterator[Record]: ...
