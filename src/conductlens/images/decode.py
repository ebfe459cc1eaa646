"""Decoding a picture safely: bounded size, one frame, orientation applied, RGB."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from conductlens.errors import ConductLensError

MAX_PIXELS = 80_000_000  # a 10,000 x 8,000 photo; beyond that a decompression bomb


class UnreadableImage(ConductLensError):
    """The bytes are not a picture Pillow can decode."""


def decode(data: bytes) -> Image.Image:
    """The first frame of ``data`` as an RGB picture, turned as its EXIF orientation says."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            if picture.width * picture.height > MAX_PIXELS:
                raise UnreadableImage(f"{picture.width}x{picture.height} pixels is too large")
            picture.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise UnreadableImage(f"not a readable picture: {exc}") from exc
    turned = ImageOps.exif_transpose(picture)
    return (turned or picture).convert("RGB")


def open_raw(data: bytes) -> Image.Image:
    """The picture as stored (for its EXIF), not yet decoded."""
    try:
        return Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError) as exc:
        raise UnreadableImage(f"not a readable picture: {exc}") from exc
