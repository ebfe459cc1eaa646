"""The image pass: every stored picture hashed once (PDQ, quality, MD5, SHA-1, EXIF)."""

from __future__ import annotations

import hashlib
import json
from typing import Any as Pictures

from sqlalchemy import func, select

from conductlens.images.imagepass import run_image_pass
from conductlens.images.pdq import distance, pdq_of
from conductlens.images.synthetic import scene
from conductlens.store.tables_images import images


def _rows(p: Pictures) -> dict[str, dict[str, object]]:
    with p.store.engine.connect() as conn:
        return {r["sha256"]: dict(r) for r in conn.execute(select(images)).mappings()}


def test_every_picture_is_hashed_once_with_its_quality(with_pictures: Pictures) -> None:
    summary = run_image_pass(with_pictures.store)
    assert (summary.hashed, summary.unreadable, summary.missing) == (4, 1, 0)
    rows = _rows(with_pictures)
    for name, data in with_pictures.files.items():
        row = rows[hashlib.sha256(data).hexdigest()]
        assert row["md5"] == hashlib.md5(data).hexdigest()
        if name.endswith("0005.jpg"):
            assert row["pdq"] is None and "not a readable picture" in str(row["error"])
        else:
            assert len(str(row["pdq"])) == 64 and int(str(row["pdq_quality"])) > 49
    again = run_image_pass(with_pictures.store)
    assert (again.hashed, again.unreadable) == (0, 0)
    with with_pictures.store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(images)) == 5


def test_the_stored_hash_is_the_hash_of_the_picture(with_pictures: Pictures) -> None:
    run_image_pass(with_pictures.store)
    data = with_pictures.files["IMG-20240306-WA0003.jpg"]
    stored = _rows(with_pictures)[hashlib.sha256(data).hexdigest()]["pdq"]
    assert distance(str(stored), pdq_of(scene(3)).hex) <= 4  # only the JPEG step between


def test_exif_time_device_and_gps_are_kept(with_pictures: Pictures) -> None:
    run_image_pass(with_pictures.store)
    data = with_pictures.files["IMG-20240306-WA0001.jpg"]
    exif = json.loads(str(_rows(with_pictures)[hashlib.sha256(data).hexdigest()]["exif"]))
    assert exif["time"] == "2024:03:06 21:58:00"
    assert exif["device"] == "Examplephone X1"
    assert exif["gps"] == {"latitude": 51.5, "longitude": -0.125}


def test_a_picture_in_evidence_shared_with_a_second_case_is_hashed_for_it(
    with_pictures: Pictures,
) -> None:
    from conductlens.ingest.pipeline import ingest_path

    # The same export filed again under a second inquiry: one exhibit, linked to both cases.
    ingest_path(with_pictures.store, with_pictures.zip_path, case="PSD-IMG-2", added_by="test")
    summary = run_image_pass(with_pictures.store, case="PSD-IMG-2")
    assert (summary.hashed, summary.unreadable) == (4, 1)
