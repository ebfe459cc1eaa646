"""NudeNet's bundled 320n detector on the pictures we may legitimately use.

    python bench/images_sexual.py

No sexual image is generated or downloaded, so the set has **no positives**: this measures
false alarms only (what would wrongly raise ``image-sexual``) and the score margin below the
threshold, on generated scenes, memes, skin-toned gradients and shapes (the hardest
negatives we can draw), and the photographs that ship inside scikit-learn
(``load_sample_images``: a temple, a flower). Recall cannot be measured here; see
docs/images.md. Printed, never asserted.
"""

from __future__ import annotations

import platform

import numpy as np
from PIL import Image, ImageDraw

from conductlens.images.sexual import THRESHOLD, detections, sexual_score
from conductlens.images.synthetic import FONTS, meme, scene

SKIN = ((224, 172, 105), (198, 134, 66), (141, 85, 36), (255, 219, 172), (241, 194, 125))


def skin_shapes(seed: int) -> Image.Image:
    """Skin-toned ellipses on a skin-toned gradient: the nearest thing to a body we draw."""
    rng = np.random.default_rng(seed)
    picture = Image.new("RGB", (480, 640), SKIN[seed % len(SKIN)])
    draw = ImageDraw.Draw(picture)
    for _ in range(6):
        x, y = int(rng.integers(0, 400)), int(rng.integers(0, 560))
        w, h = int(rng.integers(60, 220)), int(rng.integers(60, 260))
        tone = SKIN[int(rng.integers(0, len(SKIN)))]
        draw.ellipse([x, y, x + w, y + h], fill=tuple(max(0, c - 25) for c in tone))
    return picture


def shipped() -> list[tuple[str, Image.Image]]:
    from sklearn.datasets import load_sample_images

    data = load_sample_images()
    return [(f"sklearn:{name.rsplit('/', 1)[-1]}", Image.fromarray(img))
            for name, img in zip(data.filenames, data.images, strict=True)]


def main() -> None:
    sets = {
        "generated scenes": [scene(s) for s in range(40)],
        "generated memes": [meme("who wants a brew before nights", font_name=FONTS[i % 5],
                                 background=scene(900 + i)) for i in range(20)],
        "skin-toned shapes": [skin_shapes(s) for s in range(40)],
        "shipped photos": [p for _, p in shipped()],
    }
    print(f"machine: {platform.machine()}, python {platform.python_version()}; threshold "
          f"{THRESHOLD}; no positives in the set (see the docstring)")
    print(f"{'set':<20} {'n':>4} {'flagged':>8} {'max score':>10}  classes seen")
    for name, pictures in sets.items():
        scores = [sexual_score(p) for p in pictures]
        classes = sorted({d["class"] for p in pictures for d in detections(p)})
        print(f"{name:<20} {len(pictures):>4} {sum(s >= THRESHOLD for s in scores):>8} "
              f"{max(scores):>10.2f}  {', '.join(classes) or '-'}")


if __name__ == "__main__":
    main()
