"""Text in pictures: the words of a meme are read and found like a message's."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.images.ocr import ENGINES, Region, derived_text, reading_order
from conductlens.images.synthetic import FONTS, meme, scene
from conductlens.store import tables as t
from conductlens.store.tables_images import image_text, images

runner = CliRunner()
MEME = "IMG-20240306-WA0004.png"


def test_regions_are_read_top_to_bottom_and_left_to_right() -> None:
    regions = [Region((300, 100, 400, 130), "world", 0.9), Region((10, 10, 200, 40), "top", 0.9),
               Region((10, 100, 200, 130), "hello", 0.9), Region((10, 200, 90, 230), "?", 0.1)]
    text, where = derived_text(reading_order(regions))
    assert text == "top\nhello\nworld"
    assert [(s, e) for s, e, _ in where] == [(0, 3), (4, 9), (10, 15)]


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_each_engine_reads_a_plain_meme(name: str) -> None:
    picture = meme("delete this chat before PSD get the phones", font_name=FONTS[1], size=36)
    words = " ".join(r.text for r in ENGINES[name]().read(picture)).lower().split()
    assert {"delete", "chat", "psd", "phones"} <= set(words)


def test_outlined_text_on_a_picture_is_read_by_the_default_engine() -> None:
    picture = meme("those immigrants are vermin", size=44, fill=(255, 255, 255), outline=3,
                   background=scene(7))
    words = " ".join(r.text for r in ENGINES["rapidocr"]().read(picture)).lower()
    assert "immigrants" in words and "vermin" in words


def test_the_pass_reads_the_meme_and_raises_the_policy_category(with_pictures: Any) -> None:
    result = runner.invoke(app, ["images", "scan", "--no-sexual", "--json",
                                 "--db", with_pictures.store.url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ocr"] >= 1
    sha = hashlib.sha256(with_pictures.files[MEME]).hexdigest()
    with with_pictures.store.engine.connect() as conn:
        read = conn.execute(select(image_text).where(image_text.c.sha256 == sha)).mappings().all()
        assert "vermin" in " ".join(r["text"] for r in read).lower()
        assert all(len(json.loads(r["region"])) == 4 for r in read)
        found = conn.execute(select(t.findings).where(t.findings.c.detector == "ocr")
                             ).mappings().all()
        carrier = conn.scalar(select(t.attachments.c.message_id)
                              .where(t.attachments.c.sha256 == sha))
        assert "discrimination-race" in {f["category"] for f in found}
        assert {f["message_id"] for f in found} == {carrier}
        assert "Read from the picture (exhibit EXH-00001" in found[0]["explanation"]
        assert found[0]["policy_version"].endswith("+ocr")
        assert conn.scalar(select(images.c.ocr_engine).where(images.c.sha256 == sha))
    again = runner.invoke(app, ["images", "scan", "--no-sexual", "--json",
                                "--db", with_pictures.store.url])
    assert json.loads(again.output)["ocr"] == 0  # read once
