"""A WhatsApp zip export with pictures made here, ingested into a per-test store."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from conductlens.images.synthetic import jpeg, meme, png, scene
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store

CASE = "PSD-IMG-1"


def exif_jpeg(picture: Image.Image) -> bytes:
    """A JPEG with the EXIF a phone writes: time, device and GPS."""
    exif = Image.Exif()
    exif[271], exif[272], exif[306] = "Examplephone", "X1", "2024:03:06 21:58:00"
    exif.get_ifd(0x8769)[0x9003] = "2024:03:06 21:58:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 0.0), "W", (0.0, 7.0, 30.0)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def pictures() -> dict[str, bytes]:
    return {
        "IMG-20240306-WA0001.jpg": exif_jpeg(scene(1)),        # the "known" meme
        "IMG-20240306-WA0002.jpg": jpeg(scene(2)),             # the one a seal list holds
        "IMG-20240306-WA0003.jpg": jpeg(scene(3)),             # nobody's list
        "IMG-20240306-WA0004.png": png(meme("those immigrants are vermin", size=44)),
        "IMG-20240306-WA0005.jpg": b"not a picture at all",    # unreadable bytes
    }


CHAT = """06/03/2024, 21:00 - Alan Grant: Morning all
06/03/2024, 21:58 - Alan Grant: IMG-20240306-WA0001.jpg (file attached)
06/03/2024, 22:01 - Carl Diaz: IMG-20240306-WA0002.jpg (file attached)
06/03/2024, 22:02 - Beth Jones: IMG-20240306-WA0003.jpg (file attached)
06/03/2024, 22:03 - Carl Diaz: IMG-20240306-WA0004.png (file attached)
06/03/2024, 22:04 - Alan Grant: IMG-20240306-WA0005.jpg (file attached)
07/03/2024, 08:00 - Beth Jones: IMG-20240306-WA0001.jpg (file attached)
forwarded again
"""


@dataclass(frozen=True)
class Pictures:
    store: Store
    zip_path: Path
    files: dict[str, bytes]


def write_export(folder: Path, files: dict[str, bytes], chat: str = CHAT,
                 name: str = "Team 3") -> Path:
    path = folder / f"WhatsApp Chat with {name}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Team 3.txt", chat)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def with_pictures(tmp_path: Path) -> Iterator[Pictures]:
    files = pictures()
    store = Store.open(str(tmp_path / "img.db"))
    path = write_export(tmp_path, files)
    ingest_path(store, path, case=CASE, added_by="test")
    yield Pictures(store, path, files)
    store.close()


@pytest.fixture
def add_export(with_pictures: Pictures, tmp_path: Path) -> Callable[[dict[str, bytes], str], Path]:
    """Ingest one more export (into the same case) holding ``files``."""

    def add(files: dict[str, bytes], name: str) -> Path:
        path = write_export(tmp_path, files, CHAT.replace("Morning all", f"Morning {name}"), name)
        ingest_path(with_pictures.store, path, case=CASE, added_by="test")
        return path

    return add
