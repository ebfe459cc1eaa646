"""Sexual imagery: NudeNet's 320n ONNX detector, which ships inside the ``nudenet`` wheel
(nothing is downloaded). The file is checked against the sha256 in ``models.json`` before it
is loaded. A picture's score is the detector's highest score for an exposed sexual body part;
at ``THRESHOLD`` or above it is an ``image-sexual`` finding on the carrying message.

What it cannot do: it says nothing about age, so it never seals on its own (the seal comes
from the force's child-abuse hash lists); see docs/images.md for what it misses.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy import Connection, select, update

from conductlens.errors import ConductLensError
from conductlens.images.decode import UnreadableImage, decode
from conductlens.images.findings import ImageFinding, store_findings
from conductlens.images.imagepass import picture_bytes
from conductlens.images.sealing import carriers
from conductlens.store import Store
from conductlens.store.tables_images import images

MANIFEST = Path(__file__).with_name("models.json")
SEXUAL_PARTS = frozenset({"FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED",
                          "MALE_GENITALIA_EXPOSED", "ANUS_EXPOSED", "BUTTOCKS_EXPOSED"})
THRESHOLD = 0.6  # chosen on bench/images_sexual.py's set: see docs/images.md


def model_path() -> Path:
    """The bundled 320n.onnx, after checking its sha256 against the manifest."""
    entry = json.loads(MANIFEST.read_text(encoding="utf-8"))["nudenet-320n"]
    spec = importlib.util.find_spec(entry["package"])
    if spec is None or spec.origin is None:
        raise ConductLensError("the nudenet package is not installed")
    path = Path(spec.origin).with_name(entry["file"])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != entry["sha256"]:
        raise ConductLensError(f"{path}: sha256 {digest} is not the manifest's {entry['sha256']}")
    return path


@lru_cache(maxsize=1)
def _detector() -> Any:
    from nudenet import NudeDetector

    return NudeDetector(model_path=str(model_path()))


def detections(picture: Image.Image) -> list[dict[str, Any]]:
    """NudeNet's detections (class, score, box) for a decoded picture."""
    bgr = np.ascontiguousarray(np.asarray(picture.convert("RGB"))[:, :, ::-1])
    return list(_detector().detect(bgr))


def sexual_score(picture: Image.Image) -> float:
    """The highest detector score for an exposed sexual body part (0 when none)."""
    scores = [d["score"] for d in detections(picture) if d["class"] in SEXUAL_PARTS]
    return round(max(scores, default=0.0), 4)


def classify_step(conn: Connection, store: Store, shas: list[str]) -> int:
    """The pass step: score pictures not yet scored; findings at or above the threshold."""
    todo = set(conn.scalars(select(images.c.sha256).where(images.c.sexual_score.is_(None))))
    found: list[ImageFinding] = []
    for sha in (s for s in shas if s in todo):
        try:
            score = sexual_score(decode(picture_bytes(conn, store, sha)))
        except UnreadableImage:
            continue
        conn.execute(update(images).where(images.c.sha256 == sha).values(sexual_score=score))
        if score >= THRESHOLD:
            why = (f"NudeNet 320n scores an exposed sexual body part at {score:.2f} "
                   f"(threshold {THRESHOLD}). Review in the image view.")
            found += [ImageFinding(m, "image-sexual", "medium", score, "nudenet-320n", why)
                      for _, m, _ in carriers(conn, sha)]
    return store_findings(conn, found)
