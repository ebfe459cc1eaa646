"""OCR of generated memes and screenshots: Tesseract against RapidOCR, and what the policy finds.

    python bench/images_ocr.py [--n 36] [--engines tesseract,rapidocr]

Each picture sets one line of text (some the policy flags, some benign) in one of Debian's
DejaVu fonts, at one of three sizes, with or without an outline, on white, on dark grey, or
on a busy generated scene (white outlined text, the meme style). Settings cycle so every font,
size, outline and background appears. Figures per engine: the share of words recovered
(bag of words, case-folded), the share of pictures read exactly, the share of the findings
the typed text raises that the read text raises too (same category), false findings on benign
text, and seconds per picture. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import re
import time
from collections import Counter

from conductlens.detect.policy import load_policy
from conductlens.detect.scan import check_text
from conductlens.images.ocr import ENGINES, derived_text, reading_order
from conductlens.images.synthetic import FONTS, meme, scene

TEXTS = (
    "those immigrants are vermin",
    "delete this chat before PSD get the phones",
    "women are all whores",
    "switch the body cam off next time lads",
    "get our stories straight before interview",
    "briefing moved to ten tomorrow",
    "who wants a brew before nights",
    "rota for next week is on the board",
    "great job on the search today team",
    "canteen is shut use the one upstairs",
)
SIZES = (22, 34, 48)
BACKGROUNDS = ("white", "dark", "scene")


def pictures(n: int) -> list[tuple[str, str, object]]:
    settings = itertools.cycle(itertools.product(FONTS, SIZES, (0, 3), BACKGROUNDS))
    out = []
    for i in range(n):
        font_name, size, outline, ground = next(settings)
        text = TEXTS[i % len(TEXTS)]
        if ground == "scene":
            picture = meme(text, font_name=font_name, size=size, outline=max(outline, 2),
                           fill=(255, 255, 255), background=scene(500 + i))
        elif ground == "dark":
            picture = meme(text, font_name=font_name, size=size, outline=outline,
                           fill=(235, 235, 235), background=(40, 40, 40))
        else:
            picture = meme(text, font_name=font_name, size=size, outline=outline)
        out.append((text, f"{font_name} {size}pt outline={outline} {ground}", picture))
    return out


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z0-9]+", text.lower()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=36)
    parser.add_argument("--engines", default="tesseract,rapidocr")
    args = parser.parse_args()
    policy = load_policy(None)
    made = pictures(args.n)
    typed = {text: {f.category for f in check_text(policy, text)} for text in TEXTS}
    print(f"machine: {platform.machine()}, python {platform.python_version()}; "
          f"{len(made)} pictures, {sum(bool(v) for v in typed.values())} of {len(TEXTS)} texts "
          f"raise findings when typed")
    print(f"{'engine':<10} {'words':>6} {'exact':>6} {'findings':>9} {'false':>6} {'s/pic':>6}"
          "  by background (words)")
    for name in args.engines.split(","):
        engine = ENGINES[name]()
        engine.read(made[0][2])  # warm up: model loading is not per picture
        got = total = exact = found = wanted = false = 0
        by_ground: Counter[str] = Counter()
        per_ground: Counter[str] = Counter()
        started = time.perf_counter()
        for text, label, picture in made:
            read, _ = derived_text(reading_order(engine.read(picture)))  # type: ignore[arg-type]
            truth, seen = words(text), words(read)
            hit = sum((truth & seen).values())
            got, total = got + hit, total + sum(truth.values())
            ground = label.rsplit(" ", 1)[1]
            by_ground[ground] += hit
            per_ground[ground] += sum(truth.values())
            exact += " ".join(read.lower().split()) == text
            categories = {f.category for f in check_text(policy, read)}
            wanted += len(typed[text])
            found += len(typed[text] & categories)
            false += len(categories - typed[text]) if not typed[text] else 0
        per = (time.perf_counter() - started) / len(made)
        grounds = ", ".join(f"{g} {by_ground[g] / per_ground[g]:.0%}" for g in BACKGROUNDS
                            if per_ground[g])
        print(f"{name:<10} {got / total:>6.1%} {exact / len(made):>6.1%} "
              f"{found / max(1, wanted):>9.1%} {false:>6} {per:>6.2f}  {grounds}")


if __name__ == "__main__":
    main()
