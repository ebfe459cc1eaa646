"""Throughput of the background image pass (pictures per second), stage by stage.

    python bench/images_pass.py [--n 200] [--slow 20]

Ingests one WhatsApp zip export holding ``n`` generated 640x480 JPEGs (and, to show that
ingest does not read pictures, the time ingest takes for the same chat without them), then
times the hashing pass (read from the stored zip, SHA-256 check, decode, PDQ, MD5, SHA-1,
EXIF) and hash-list matching against a 10,000-entry PDQ list; OCR and the sexual-imagery
classifier are timed on ``slow`` of the pictures. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import platform
import random
import tempfile
import time
import zipfile
from pathlib import Path

from conductlens.images.hashlists import Entry, import_entries
from conductlens.images.imagepass import ImagePassSummary, all_pictures, match_and_seal
from conductlens.images.imagepass import run_image_pass as run
from conductlens.images.synthetic import jpeg, scene
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store


def export(folder: Path, n: int, with_pictures: bool) -> Path:
    lines, names = [], []
    for i in range(n):
        name = f"IMG-20240306-WA{i:04d}.jpg"
        names.append(name)
        lines.append(f"06/03/2024, {10 + i // 60 % 12:02d}:{i % 60:02d} - Officer {i % 7}: "
                     + (f"{name} (file attached)" if with_pictures else "a message"))
    path = folder / f"WhatsApp Chat with {'Pictures' if with_pictures else 'Words'}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(path.stem + ".txt", "\n".join(lines) + "\n")
        if with_pictures:
            for i, name in enumerate(names):
                zf.writestr(name, jpeg(scene(i)))
    return path


def timed(label: str, count: int, fn: object) -> None:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    spent = time.perf_counter() - started
    print(f"{label:<46} {spent:>7.2f}s  {count / spent:>8.1f} pictures/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--slow", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, python {platform.python_version()}; "
          f"{args.n} pictures 640x480 JPEG")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store.open(str(folder / "bench.db"))
        words = export(folder, args.n, False)
        timed("ingest, the chat without pictures", args.n,
              lambda: ingest_path(store, words, case="BENCH"))
        with_pics = export(folder, args.n, True)
        timed("ingest, the chat with pictures (not decoded)", args.n,
              lambda: ingest_path(store, with_pics, case="BENCH"))
        timed("image pass: read, check, decode, PDQ, EXIF", args.n,
              lambda: run(store, steps=iter(())))
        rng = random.Random(1)
        entries = [Entry("pdq", f"{rng.getrandbits(256):064x}", "offensive", None)
                   for _ in range(10_000)]
        with store.engine.begin() as conn:
            import_entries(conn, "bench", entries, "bench")
        timed("matching against 10,000 PDQ entries", args.n, lambda: _match(store))
        _slow(store, args.slow)


def _match(store: Store) -> None:
    with store.engine.begin() as conn:
        match_and_seal(conn, all_pictures(conn, None), "bench", "team", ImagePassSummary())


def _slow(store: Store, count: int) -> None:
    from conductlens.images.ocr import read_text_step
    from conductlens.images.sexual import classify_step
    with store.engine.connect() as conn:
        shas = all_pictures(conn, None)[:count]
    for label, step in (("OCR (RapidOCR) + policy", read_text_step),
                        ("sexual-imagery classifier (NudeNet 320n)", classify_step)):
        def go(step: object = step) -> None:
            with store.engine.begin() as conn:
                step(conn, store, shas)  # type: ignore[operator]
        timed(label, len(shas), go)


if __name__ == "__main__":
    main()
