"""Text in pictures: memes and screenshots read by OCR and fed to the text policy.

Two engines that need no download: Debian's Tesseract (``tesseract-ocr`` through
``pytesseract``) and RapidOCR, whose ONNX models ship inside the ``rapidocr-onnxruntime``
wheel. ``bench/images_ocr.py`` compares them (docs/images.md); the pass uses ``DEFAULT_ENGINE``.
The words read become a derived message: the policy runs over them, and each finding is put
on the message that carried the picture with ``"detector": "ocr"`` and its provenance
(exhibit, attachment, region) in the explanation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from PIL import Image
from sqlalchemy import Connection, insert, select, update

from conductlens.detect.policy import load_policy
from conductlens.detect.scan import scan_batch
from conductlens.images.decode import UnreadableImage, decode
from conductlens.images.findings import ImageFinding, store_findings
from conductlens.images.imagepass import picture_bytes
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_images import image_text, images

DEFAULT_ENGINE = "rapidocr"
MIN_CONFIDENCE = 0.5
Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Region:
    box: Box  # left, top, right, bottom in pixels
    text: str
    confidence: float


class OcrEngine(Protocol):
    name: str

    def read(self, picture: Image.Image) -> list[Region]: ...


class Tesseract:
    """Debian's Tesseract 5 (LSTM), English, one region per line it finds."""

    name = "tesseract"

    def read(self, picture: Image.Image) -> list[Region]:
        import pytesseract

        data = pytesseract.image_to_data(picture, output_type=pytesseract.Output.DICT)
        lines: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) >= 0:
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                lines.setdefault(key, []).append(i)
        return [_tesseract_line(data, idx) for idx in lines.values()]


def _tesseract_line(data: dict[str, Any], idx: list[int]) -> Region:
    left = min(data["left"][i] for i in idx)
    top = min(data["top"][i] for i in idx)
    right = max(data["left"][i] + data["width"][i] for i in idx)
    bottom = max(data["top"][i] + data["height"][i] for i in idx)
    conf = sum(float(data["conf"][i]) for i in idx) / len(idx) / 100
    return Region((left, top, right, bottom), " ".join(data["text"][i] for i in idx), conf)


class RapidOcr:
    """PP-OCRv4 detection and recognition, ONNX models from inside the wheel."""

    name = "rapidocr"

    def read(self, picture: Image.Image) -> list[Region]:
        found, _ = _rapid()(np.asarray(picture.convert("RGB")))
        out = []
        for points, text, score in found or ():
            xs, ys = [int(p[0]) for p in points], [int(p[1]) for p in points]
            out.append(Region((min(xs), min(ys), max(xs), max(ys)), str(text), float(score)))
        return out


@lru_cache(maxsize=1)
def _rapid() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


ENGINES: dict[str, type[Tesseract] | type[RapidOcr]] = {
    "tesseract": Tesseract, "rapidocr": RapidOcr}


def engine(name: str = DEFAULT_ENGINE) -> OcrEngine:
    """The OCR engine called ``name``."""
    return ENGINES[name]()


def reading_order(regions: Sequence[Region]) -> list[Region]:
    """Regions top to bottom, then left to right within a line's height."""
    kept = [r for r in regions if r.confidence >= MIN_CONFIDENCE and r.text.strip()]
    return sorted(kept, key=lambda r: (r.box[1] // max(1, (r.box[3] - r.box[1])), r.box[0]))


def derived_text(regions: Sequence[Region]) -> tuple[str, list[tuple[int, int, Region]]]:
    """The words of a picture as one text, with each region's offsets in it."""
    parts, where, at = [], [], 0
    for region in regions:
        parts.append(region.text)
        where.append((at, at + len(region.text), region))
        at += len(region.text) + 1
    return "\n".join(parts), where


def read_text_step(conn: Connection, store: Store, shas: list[str]) -> int:
    """The pass step: read pictures not yet read, run the policy, store findings."""
    reader = engine()
    policy = load_policy(None)
    added = 0
    todo = set(conn.scalars(select(images.c.sha256).where(images.c.ocr_engine.is_(None))))
    for sha in (s for s in shas if s in todo):
        regions = _read(conn, store, reader, sha)
        added += _policy_findings(conn, sha, regions, policy)
    return added


def _read(conn: Connection, store: Store, reader: OcrEngine, sha: str) -> list[Region]:
    try:
        found = reading_order(reader.read(decode(picture_bytes(conn, store, sha))))
    except UnreadableImage:
        found = []
    if found:
        conn.execute(insert(image_text), [
            {"sha256": sha, "engine": reader.name, "region": json.dumps(list(r.box)),
             "text": r.text, "confidence": round(r.confidence, 4)} for r in found])
    conn.execute(update(images).where(images.c.sha256 == sha).values(ocr_engine=reader.name))
    return found


def _policy_findings(conn: Connection, sha: str, regions: list[Region], policy: Any) -> int:
    text, where = derived_text(regions)
    if not text.strip():
        return 0
    out = []
    for attachment_id, message_id, exhibit in _carriers(conn, sha):
        for f in scan_batch(policy, [(str(message_id), text)]):
            boxes = [list(r.box) for s, e, r in where
                     if any(a < e and b > s for a, b in f.spans)] or [list(where[0][2].box)]
            origin = (f" Read from the picture (exhibit {exhibit}, attachment {attachment_id}, "
                      f"region {boxes}).")
            out.append(ImageFinding(message_id, f.category, f.severity.label, f.score, "ocr",
                                    f.explanation.render() + origin, f.standards,
                                    f"{f.policy_version}+ocr"))
    return store_findings(conn, out)


def _carriers(conn: Connection, sha: str) -> list[tuple[int, int, str]]:
    rows = conn.execute(
        select(t.attachments.c.id, t.attachments.c.message_id, t.exhibits.c.reference)
        .join(t.messages, t.messages.c.id == t.attachments.c.message_id)
        .join(t.exhibits, t.exhibits.c.id == t.messages.c.exhibit_id)
        .where(t.attachments.c.sha256 == sha).order_by(t.attachments.c.id))
    return [(int(a), int(m), str(r)) for a, m, r in rows]
