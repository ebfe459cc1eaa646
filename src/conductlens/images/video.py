"""vPDQ, Meta's video hash: the PDQ hash and quality of one frame per second of video.

This follows ``vpdq`` 0.2.5 (``cpp/vpdq/cpp/hashing/filehasher.cpp``) step for step: the
frame rate is the stream's average rate; every frame whose number is a multiple of
``int(seconds_per_hash * fps)`` (at least 1) is converted to RGB at the video's own size and
hashed with PDQ; its timestamp is ``frame_number / fps``. The ``vpdq`` package itself only
installs by compiling against FFmpeg's development headers (no wheel on PyPI, about a hundred
Debian packages: docs/images.md says what was measured), so the frames are decoded here by
OpenCV, whose wheel carries its own FFmpeg and is already installed for OCR and NudeNet, and
hashed by ``pdqhash``, the same PDQ code. On the videos in ``tests/images/data`` the output is
identical to ``vpdq.computeHash``'s (hash, quality, frame number, timestamp), checked in
``tests/images/test_video.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from conductlens.errors import ConductLensError
from conductlens.images.decode import MAX_PIXELS
from conductlens.images.pdq import pdq_of

SECONDS_PER_HASH = 1.0
MAX_HASHED_FRAMES = 4 * 3600  # four hours at one frame a second; the rest is left unhashed


class UnreadableVideo(ConductLensError):
    """The bytes are not a video the decoder can read."""


@dataclass(frozen=True, slots=True)
class VideoFrame:
    frame_number: int
    timestamp: float
    pdq: str
    quality: int


@dataclass
class VideoHash:
    width: int
    height: int
    fps: float
    frames_read: int = 0
    complete: bool = True
    frames: list[VideoFrame] = field(default_factory=list)


def vpdq_of(path: Path, seconds_per_hash: float = SECONDS_PER_HASH,
            max_frames: int = MAX_HASHED_FRAMES) -> VideoHash:
    """The vPDQ key frames of the video at ``path`` (as ``vpdq.computeHash`` gives them)."""
    import cv2  # OpenCV's wheel brings its own FFmpeg; imported here to keep start-up light

    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        if not capture.isOpened():
            raise UnreadableVideo("not a readable video")
        found = _open(capture, cv2)
        step = max(1, int(seconds_per_hash * found.fps))
        while capture.grab():  # grab decodes; only the frames hashed are converted
            number = found.frames_read
            found.frames_read += 1
            if number % step:
                continue
            if len(found.frames) >= max_frames:
                found.complete = False
                break
            ok, bgr = capture.retrieve()
            if not ok:
                continue
            hashed = pdq_of(Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
            found.frames.append(VideoFrame(number, number / found.fps, hashed.hex,
                                           hashed.quality))
    finally:
        capture.release()
    if found.frames_read == 0:
        raise UnreadableVideo("the video has no frame that can be decoded")
    return found


def _open(capture: object, cv2: object) -> VideoHash:
    get = capture.get  # type: ignore[attr-defined]
    width = int(get(cv2.CAP_PROP_FRAME_WIDTH))  # type: ignore[attr-defined]
    height = int(get(cv2.CAP_PROP_FRAME_HEIGHT))  # type: ignore[attr-defined]
    fps = float(get(cv2.CAP_PROP_FPS))  # type: ignore[attr-defined]
    if width * height > MAX_PIXELS:
        raise UnreadableVideo(f"{width}x{height} pixels a frame is too large")
    if not fps > 0:
        raise UnreadableVideo("the video states no frame rate")
    return VideoHash(width, height, fps)
