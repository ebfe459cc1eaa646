"""Hash lists in ThreatExchange's formats: its local_file signal file and its dataset CSV, read
and written as the threatexchange package (1.2.17) reads and writes them, round-tripped."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.errors import ConductLensError
from conductlens.images.imagepass import run_image_pass
from conductlens.images.pdq import pdq_of
from conductlens.images.sealing import is_sealed
from conductlens.images.synthetic import scene
from conductlens.images.threatexchange import read_te_csv, read_te_file
from conductlens.images.video import vpdq_of
from conductlens.store import Store
from conductlens.store.tables_images import hash_entries, hash_lists

runner = CliRunner()
PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = "30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _cli(db: str, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code == 0, result.output
    return result


def test_a_local_file_signal_file_is_read_by_type(tmp_path: Path) -> None:
    # As report_opinion appends (f"{name} {signal}\n") and `threatexchange hash` prints.
    frames = json.dumps([f"{PDQ_A},100,0.000", f"{PDQ_B},30,1.000"])
    path = _write(tmp_path, "signals.txt", f"pdq {PDQ_A.upper()}\n\nvideo_md5 {MD5}\n"
                  f"{PDQ_B}\nurl https://example.invalid/x\nvpdq {frames}\n")
    read = read_te_file(path, "child-abuse")
    assert [(e.hash_type, e.hash, e.category) for e in read.entries] == [
        ("pdq", PDQ_A, "child-abuse"), ("md5", MD5, "child-abuse"),
        ("pdq", PDQ_B, "child-abuse"), ("pdq", PDQ_A, "child-abuse")]
    assert read.entries[-1].source == "vPDQ frame at 0.000 s"  # quality 30 frame dropped
    assert read.skipped == {"signal type url": 1}


@pytest.mark.parametrize("line, why", [
    ("pdq 1234", "signal: a pdq hash is 64 hex digits"),
    (f"video_sha256 {MD5}", "signal: a sha256 hash is 64 hex digits"),
    ("vpdq [not json", "signal: not a vPDQ signal"),
    ("not-a-hash", "signal: a pdq hash is 64 hex digits"),
])
def test_a_bad_signal_stops_the_import_naming_the_line(tmp_path: Path, line: str,
                                                       why: str) -> None:
    path = _write(tmp_path, "bad.txt", f"pdq {PDQ_A}\n{line}\n")
    with pytest.raises(ConductLensError, match=f"bad.txt:2: {why}"):
        read_te_file(path, None)


def test_the_dataset_csv_is_read_with_tags_as_category(tmp_path: Path) -> None:
    # As `threatexchange dataset -P --csv` writes it: DictWriter, \r\n line ends.
    path = _write(tmp_path, "dataset.csv",
                  "signal_type,signal_str,collab,category,tags\r\n"
                  f"pdq,{PDQ_A},Sample Data,POSITIVE_CLASS,media_priority_s1 csam\r\n"
                  f"pdq,{PDQ_B},Sample Data,INVESTIGATION_SEED,\r\n"
                  f"video_md5,{MD5},Other,NEGATIVE_CLASS,test\r\n"
                  "raw_text,hello,Other,POSITIVE_CLASS,\r\n")
    read = read_te_csv(path, "offensive-meme")
    assert [(e.hash, e.category, e.source) for e in read.entries] == [
        (PDQ_A, "csam", "Sample Data"), (PDQ_B, "offensive-meme", "Sample Data")]
    assert read.skipped == {"NEGATIVE_CLASS": 1, "signal type raw_text": 1}
    bad = _write(tmp_path, "bad.csv", "signal_type,signal_str,category\n"
                 f"pdq,{PDQ_A},MAYBE\n")
    with pytest.raises(ConductLensError, match="bad.csv:2: category: 'MAYBE'"):
        read_te_csv(bad, None)


def _entries(store: Store, list_name: str) -> list[tuple[str, str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(hash_entries.c.hash_type, hash_entries.c.hash,
                                   hash_entries.c.category)
                            .join(hash_lists, hash_lists.c.id == hash_entries.c.list_id)
                            .where(hash_lists.c.name == list_name).order_by(hash_entries.c.id))
        return [(str(a), str(b), str(c)) for a, b, c in rows]


@pytest.mark.parametrize("fmt", ["te-file", "te-csv"])
def test_an_export_in_threatexchange_format_imports_back(tmp_path: Path, fmt: str) -> None:
    store = Store.open(str(tmp_path / "te.db"))
    source = _write(tmp_path, "list.csv", "hash_type,hash,category,source\n"
                    f"pdq,{PDQ_A},offensive-meme,op x\npdq,{PDQ_B},scene photo,\n"
                    f"md5,{MD5},offensive-meme,\n")
    _cli(store.url, "hashes", "import", str(source), "--list", "memes")
    out = tmp_path / f"out.{fmt}"
    result = _cli(store.url, "hashes", "export", "--list", "memes", "--format", fmt,
                  "--output", str(out))
    assert "Left out" in result.output and "1 md5" in result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "te-file":
        assert text == f"pdq {PDQ_A}\npdq {PDQ_B}\n"
    else:
        rows = list(csv.DictReader(text.splitlines()))
        assert rows[1] == {"signal_type": "pdq", "signal_str": PDQ_B, "collab": "memes",
                           "category": "POSITIVE_CLASS", "tags": "scene-photo"}
    _cli(store.url, "hashes", "import", str(out), "--list", "back", "--format", fmt,
         "--category", "scene-photo")
    expected = [("pdq", PDQ_A, "offensive-meme" if fmt == "te-csv" else "scene-photo"),
                ("pdq", PDQ_B, "scene-photo")]
    assert _entries(store, "back") == expected
    store.close()


def test_a_threatexchange_child_abuse_signal_seals_the_picture(with_pictures: Any,
                                                               tmp_path: Path) -> None:
    run_image_pass(with_pictures.store, steps=iter(()))
    listed = pdq_of(scene(2)).hex
    path = _write(tmp_path, "caid.txt", f"pdq {listed}\n")
    result = _cli(with_pictures.store.url, "hashes", "import", str(path), "--list", "caid",
                  "--format", "te-file", "--category", "child-abuse")
    assert "1 sealed" in result.output
    sha = next(s for n, s in _shas(with_pictures) if n.endswith("0002.jpg"))
    with with_pictures.store.engine.connect() as conn:
        assert is_sealed(conn, sha)


def _shas(p: Any) -> list[tuple[str, str]]:
    return [(name, hashlib.sha256(data).hexdigest()) for name, data in p.files.items()]


def test_what_threatexchange_hash_video_prints_is_read_as_our_frames() -> None:
    # tests/images/data/te-hash-video.txt: `threatexchange hash video` (1.2.17, with its vpdq
    # extension) on the video beside it.
    data = Path(__file__).parent / "data"
    video = data / "vpdq-scenes-10fps.mp4"
    read = read_te_file(data / "te-hash-video.txt", "offensive-video")
    exact = [(e.hash_type, e.hash) for e in read.entries if e.hash_type != "pdq"]
    assert exact == [("md5", hashlib.md5(video.read_bytes()).hexdigest()),
                     ("sha256", hashlib.sha256(video.read_bytes()).hexdigest())]
    frames = [e.hash for e in read.entries if e.hash_type == "pdq"]
    assert frames == [f.pdq for f in vpdq_of(video).frames if f.quality >= 50]
