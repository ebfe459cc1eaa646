"""Pictures made here, for the benchmarks and tests (no picture is ever downloaded).

``scene(seed)`` draws a deterministic picture of gradients and shapes; ``variants`` gives the
edits PDQ must survive (rescaled, recompressed, cropped, colour-shifted, captioned); ``meme``
sets words on a background the way memes and screenshots do (fonts, sizes, outlines).
Fonts are Debian's DejaVu (``fonts-dejavu-core``).
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf",
         "DejaVuSerif-Bold.ttf")
Colour = tuple[int, int, int]


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A DejaVu font at ``size`` points."""
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _colour(rng: random.Random) -> Colour:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A picture of a gradient and a dozen shapes, the same for the same seed."""
    rng = random.Random(seed)
    w, h = size
    top, bottom = _colour(rng), _colour(rng)
    picture = Image.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    for y in range(h):
        mix = y / max(1, h - 1)
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * mix)
                                               for a, b in zip(top, bottom, strict=True)))
    for _ in range(12):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(20, w // 2), y0 + rng.randrange(20, h // 2)
        shape = rng.choice(("ellipse", "rectangle", "polygon"))
        if shape == "polygon":
            points = [(rng.randrange(w), rng.randrange(h)) for _ in range(rng.randrange(3, 7))]
            draw.polygon(points, fill=_colour(rng))
        else:
            getattr(draw, shape)([x0, y0, x1, y1], fill=_colour(rng))
    return picture


def jpeg(picture: Image.Image, quality: int = 90) -> bytes:
    """The picture as JPEG bytes."""
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def png(picture: Image.Image) -> bytes:
    """The picture as PNG bytes."""
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _recompressed(picture: Image.Image, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(jpeg(picture, quality))).convert("RGB")


def caption(picture: Image.Image, text: str) -> Image.Image:
    """The picture with a caption bar added underneath, as a forwarded meme gets."""
    w, h = picture.size
    bar = max(30, h // 8)
    out = Image.new("RGB", (w, h + bar), "white")
    out.paste(picture, (0, 0))
    ImageDraw.Draw(out).text((10, h + bar // 4), text, fill="black",
                             font=font(FONTS[0], bar // 2))
    return out


def variants(picture: Image.Image) -> Iterator[tuple[str, Image.Image]]:
    """(name, edited picture) for each edit a shared picture commonly goes through."""
    w, h = picture.size
    yield "rescaled-50%", picture.resize((w // 2, h // 2), Image.Resampling.BILINEAR)
    yield "rescaled-25%", picture.resize((w // 4, h // 4), Image.Resampling.BILINEAR)
    yield "jpeg-q30", _recompressed(picture, 30)
    yield "jpeg-q10", _recompressed(picture, 10)
    yield "cropped-2%", picture.crop((w // 50, h // 50, w - w // 50, h - h // 50))
    yield "cropped-5%", picture.crop((w // 20, h // 20, w - w // 20, h - h // 20))
    yield "cropped-15%", picture.crop((w * 3 // 20, h * 3 // 20, w - w * 3 // 20,
                                       h - h * 3 // 20))
    yield "brighter", ImageEnhance.Brightness(picture).enhance(1.3)
    yield "desaturated", ImageEnhance.Color(picture).enhance(0.2)
    yield "greyscale", picture.convert("L").convert("RGB")
    yield "captioned", caption(picture, "lol look at this")


def meme(text: str, *, font_name: str = FONTS[0], size: int = 40, outline: int = 0,
         background: Image.Image | Colour = (255, 255, 255), fill: Colour = (0, 0, 0),
         width: int = 640) -> Image.Image:
    """Words set on a background, wrapped to ``width``, optionally outlined (impact style)."""
    face = font(font_name, size)
    lines = _wrap(text, face, width - 40)
    line_h = int(size * 1.3)
    height = max(line_h * len(lines) + 60, 200)
    if isinstance(background, Image.Image):
        picture = background.resize((width, height)).convert("RGB")
    else:
        picture = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(picture)
    for row, line in enumerate(lines):
        left = (width - draw.textlength(line, font=face)) / 2
        draw.text((left, 30 + row * line_h), line, font=face, fill=fill,
                  stroke_width=outline, stroke_fill=(0, 0, 0) if fill != (0, 0, 0) else "white")
    return picture


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]
