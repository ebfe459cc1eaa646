"""Pictures for the review page, made on the server: small, re-encoded, no metadata.

A thumbnail is a fresh PNG built from the decoded pixels only, so no EXIF, GPS, ICC profile
or comment of the original goes with it; the blurred one is what a reviewer sees before they
choose to open the picture. A sealed picture is refused here, whoever asks.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter

from conductlens.errors import ConductLensError
from conductlens.images.decode import decode

THUMB_SIZE = 320
VIEW_SIZE = 1600
BLUR_RADIUS = 18


class SealedImage(ConductLensError):
    """A sealed picture: never shown, thumbnailed or exported."""


def thumbnail(data: bytes, *, sealed: bool, blurred: bool, size: int = THUMB_SIZE) -> bytes:
    """A metadata-free PNG of at most ``size`` pixels a side, blurred when asked."""
    if sealed:
        raise SealedImage("this item is sealed and is never shown or thumbnailed")
    picture = decode(data)
    picture.thumbnail((size, size))
    if blurred:
        radius = max(4, BLUR_RADIUS * max(picture.size) // THUMB_SIZE)
        picture = picture.filter(ImageFilter.GaussianBlur(radius))
    clean = Image.new("RGB", picture.size)
    clean.paste(picture)  # pixels only: nothing of the original's metadata comes along
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=False)
    return out.getvalue()
