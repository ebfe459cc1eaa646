"""Hash lists: the CSV contract, matching by PDQ distance and exact hashes, findings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.errors import ConductLensError
from conductlens.images.hashlists import read_csv
from conductlens.images.imagepass import run_image_pass
from conductlens.images.pdq import pdq_of
from conductlens.images.synthetic import png, scene, variants
from conductlens.store import tables as t

runner = CliRunner()


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _import(p: Any, path: Path, *args: str) -> Any:
    return runner.invoke(app, ["hashes", "import", str(path), *args, "--db", p.store.url])


def _findings(p: Any, category: str) -> list[dict[str, Any]]:
    with p.store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(t.findings).where(t.findings.c.category == category)
            .order_by(t.findings.c.message_id)).mappings()]


@pytest.mark.parametrize(("text", "error"), [
    ("hash,hash_type\n", ":1: header: must start with hash_type,hash"),
    ("hash_type,hash,colour\n", ":1: header: unknown or repeated column(s) colour"),
    ("hash_type,hash\nphash,abcd\n", ":2: hash_type: 'phash' is not one of"),
    ("hash_type,hash\npdq,abcd\n", ":2: hash: a pdq hash is 64 hex digits"),
    ("hash_type,hash\nmd5," + "g" * 32 + "\n", ":2: hash: a md5 hash is 32 hex digits"),
    ("hash_type,hash,category\nsha1," + "a" * 40 + "\n", ":2: row has 2 fields, header has 3"),
])
def test_bad_csv_is_refused_naming_file_line_and_field(tmp_path: Path, text: str,
                                                       error: str) -> None:
    path = _csv(tmp_path, text)
    with pytest.raises(ConductLensError) as caught:
        read_csv(path, None)
    assert str(caught.value).startswith(f"{path}:") and error in str(caught.value)


def test_each_hash_type_is_read_with_its_category_and_source(tmp_path: Path) -> None:
    path = _csv(tmp_path, "hash_type,hash,category,source\n"
                f"pdq,{'A' * 64},,Op Example\nmd5,{'b' * 32},scene-photo,\n"
                f"sha1,{'c' * 40},,\nsha256,{'d' * 64},,\n")
    entries = read_csv(path, "offensive-meme")
    assert [(e.hash_type, e.hash[:2], e.category, e.source) for e in entries] == [
        ("pdq", "aa", "offensive-meme", "Op Example"), ("md5", "bb", "scene-photo", None),
        ("sha1", "cc", "offensive-meme", None), ("sha256", "dd", "offensive-meme", None)]


def test_a_pdq_match_is_a_finding_naming_the_list_and_distance(with_pictures: Any,
                                                               tmp_path: Path) -> None:
    run_image_pass(with_pictures.store, steps=iter(()))
    # The list holds a rescaled copy, as another force would have hashed it.
    small = dict(variants(scene(1)))["rescaled-50%"]
    path = _csv(tmp_path, f"hash_type,hash,source\npdq,{pdq_of(small).hex},Op Example\n")
    result = _import(with_pictures, path, "--list", "known memes", "--category", "offensive")
    assert result.exit_code == 0, result.output
    found = _findings(with_pictures, "image-known")
    assert len(found) == 2  # posted, then forwarded: both carrying messages
    assert "'known memes'" in found[0]["explanation"] and "distance" in found[0]["explanation"]
    assert found[0]["detector"] == "hashlist:known memes" and found[0]["policy_version"]
    assert json.loads(found[0]["standards"]) == ["Authority, respect and courtesy",
                                                 "Discreditable conduct"]
    again = _import(with_pictures, path, "--list", "known memes")
    assert "added 0, already held 1" in again.output
    assert len(_findings(with_pictures, "image-known")) == 2  # never duplicated


def test_exact_hashes_match_and_unrelated_pictures_do_not(with_pictures: Any,
                                                          tmp_path: Path) -> None:
    data = with_pictures.files["IMG-20240306-WA0003.jpg"]
    path = _csv(tmp_path, f"hash_type,hash\nsha1,{hashlib.sha1(data).hexdigest()}\n"
                f"pdq,{pdq_of(scene(99)).hex}\n")
    assert _import(with_pictures, path, "--list", "earlier case").exit_code == 0
    run_image_pass(with_pictures.store, steps=iter(()))
    found = _findings(with_pictures, "image-known")
    assert len(found) == 1 and "by SHA1 at distance 0 (exact)" in found[0]["explanation"]


def test_low_quality_hashes_are_not_matched(with_pictures: Any, tmp_path: Path,
                                           add_export: Any) -> None:
    flat = png(Image.new("RGB", (200, 200), (120, 120, 120)))
    add_export({"IMG-20240306-WA0001.jpg": flat}, "flat")
    run_image_pass(with_pictures.store, steps=iter(()))
    found = pdq_of(Image.new("RGB", (200, 200), (120, 120, 120)))
    assert found.quality <= 49
    path = _csv(tmp_path, f"hash_type,hash\npdq,{found.hex}\n")
    assert _import(with_pictures, path, "--list", "flat").exit_code == 0
    assert _findings(with_pictures, "image-known") == []
