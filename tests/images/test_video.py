"""Videos: vPDQ key frames as Meta's vpdq computes them, stored once per video, matched
against PDQ lists by any frame, and sealed like a picture when a child-abuse list matches."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from conductlens.cli import app
from conductlens.images.imagepass import run_image_pass
from conductlens.images.pdq import pdq_of
from conductlens.images.sealing import is_sealed
from conductlens.images.synthetic import scene
from conductlens.images.video import vpdq_of
from conductlens.ingest.pipeline import ingest_path
from conductlens.store import Store
from conductlens.store import tables as t
from conductlens.store.tables_images import image_referrals, video_frames, videos

DATA = Path(__file__).parent / "data"
runner = CliRunner()

CHAT = """06/03/2024, 21:00 - Alan Grant: Morning all
06/03/2024, 21:58 - Alan Grant: VID-20240306-WA0001.mp4 (file attached)
06/03/2024, 22:01 - Carl Diaz: VID-20240306-WA0002.mp4 (file attached)
06/03/2024, 22:02 - Beth Jones: VID-20240306-WA0003.mp4 (file attached)
07/03/2024, 08:00 - Beth Jones: VID-20240306-WA0001.mp4 (file attached)
"""


def make_video(path: Path, seeds: list[int], fps: float = 5.0, seconds: int = 2) -> bytes:
    """A small MPEG-4 video showing each generated scene for ``seconds`` seconds."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (160, 120))
    assert writer.isOpened()
    for seed in seeds:
        frame = cv2.cvtColor(np.asarray(scene(seed, (160, 120))), cv2.COLOR_RGB2BGR)
        for _ in range(int(fps * seconds)):
            writer.write(frame)
    writer.release()
    return path.read_bytes()


def write_export(folder: Path, files: dict[str, bytes]) -> Path:
    path = folder / "WhatsApp Chat with Team 4.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Team 4.txt", CHAT)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


@dataclass(frozen=True)
class Videos:
    store: Store
    files: dict[str, bytes]


@pytest.fixture
def with_videos(tmp_path: Path) -> Iterator[Videos]:
    files = {"VID-20240306-WA0001.mp4": make_video(tmp_path / "a.mp4", [11, 12]),
             "VID-20240306-WA0002.mp4": make_video(tmp_path / "b.mp4", [13]),
             "VID-20240306-WA0003.mp4": b"not a video at all"}
    store = Store.open(str(tmp_path / "vid.db"))
    ingest_path(store, write_export(tmp_path, files), case="PSD-VID-1", added_by="test")
    yield Videos(store, files)
    store.close()


def _sha(v: Videos, name: str) -> str:
    return hashlib.sha256(v.files[name]).hexdigest()


def _import(v: Videos, tmp_path: Path, rows: str, name: str) -> str:
    path = tmp_path / f"{name}.csv"
    path.write_text("hash_type,hash,category,source\n" + rows, encoding="utf-8")
    result = runner.invoke(app, ["hashes", "import", str(path), "--list", name,
                                 "--db", v.store.url])
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.mark.parametrize("name", sorted(json.loads((DATA / "vpdq-reference.json").read_text())
                                        ["videos"]))
def test_key_frames_are_the_ones_vpdq_computes(name: str) -> None:
    reference = json.loads((DATA / "vpdq-reference.json").read_text())["videos"][name]
    path = DATA / name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == reference["sha256"]
    found = vpdq_of(path)
    assert [(f.frame_number, f.pdq, f.quality) for f in found.frames] == [
        (n, hex_, quality) for n, _, hex_, quality in reference["frames"]]
    assert [round(f.timestamp, 6) for f in found.frames] == [r[1] for r in reference["frames"]]


def test_each_video_is_hashed_once_with_a_frame_a_second(with_videos: Videos) -> None:
    summary = run_image_pass(with_videos.store, steps=iter(()))
    assert (summary.videos, summary.videos_unreadable) == (2, 1)
    with with_videos.store.engine.connect() as conn:
        rows = {r["sha256"]: r for r in conn.execute(select(videos)).mappings()}
        frames = conn.execute(select(video_frames.c.sha256, video_frames.c.timestamp)
                              .order_by(video_frames.c.id)).all()
    first = _sha(with_videos, "VID-20240306-WA0001.mp4")
    assert rows[first]["md5"] == hashlib.md5(with_videos.files["VID-20240306-WA0001.mp4"]
                                             ).hexdigest()
    assert (rows[first]["width"], rows[first]["fps"], rows[first]["complete"]) == (160, 5, True)
    assert [ts for sha, ts in frames if sha == first] == [0.0, 1.0, 2.0, 3.0]
    assert "not a readable video" in str(rows[_sha(with_videos, "VID-20240306-WA0003.mp4")]
                                         ["error"])
    again = run_image_pass(with_videos.store, steps=iter(()))
    assert again.videos == 0


def test_a_video_matches_a_pdq_list_by_any_frame(with_videos: Videos, tmp_path: Path) -> None:
    run_image_pass(with_videos.store, steps=iter(()))
    known = pdq_of(scene(12, (160, 120))).hex  # shown in the first video's third second
    output = _import(with_videos, tmp_path, f"pdq,{known},offensive-meme,op x\n", "memes")
    assert "1 match(es)" in output
    with with_videos.store.engine.connect() as conn:
        found = conn.execute(select(t.findings.c.message_id, t.findings.c.explanation)
                             .where(t.findings.c.category == "image-known")).all()
    assert len(found) == 2  # both messages that carried the first video; not the second
    assert all(any(f"The video (its frame at {at} s) matches hash list 'memes'" in why
                   for at in ("2.0", "3.0")) for _, why in found), found


def test_an_exact_hash_matches_a_video(with_videos: Videos, tmp_path: Path) -> None:
    run_image_pass(with_videos.store, steps=iter(()))
    md5 = hashlib.md5(with_videos.files["VID-20240306-WA0002.mp4"]).hexdigest()
    assert "1 match(es)" in _import(with_videos, tmp_path, f"md5,{md5},scene-video,\n", "exact")


def test_a_child_abuse_list_seals_a_video_by_a_frame(with_videos: Videos,
                                                    tmp_path: Path) -> None:
    run_image_pass(with_videos.store, steps=iter(()))
    listed = pdq_of(Image.fromarray(np.asarray(scene(13, (160, 120))))).hex
    _import(with_videos, tmp_path, f"pdq,{listed},child-abuse,caid\n", "CAID extract")
    sha = _sha(with_videos, "VID-20240306-WA0002.mp4")
    with with_videos.store.engine.connect() as conn:
        assert is_sealed(conn, sha)
        assert not is_sealed(conn, _sha(with_videos, "VID-20240306-WA0001.mp4"))
        assert conn.execute(select(image_referrals.c.sha256)).scalars().all() == [sha]
        notices = conn.execute(select(t.findings.c.category, t.findings.c.explanation)).all()
    assert [c for c, _ in notices] == ["image-sealed"]
    assert "the video's frame at" in notices[0][1]
