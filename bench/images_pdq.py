"""PDQ on pictures made here: how many edited copies still match, and how many unrelated
pictures match by mistake.

    python bench/images_pdq.py [--n 200]

For ``n`` generated scenes (gradients and shapes) and ``n // 4`` generated memes, each edit of
``synthetic.variants`` (rescaled, recompressed, cropped, colour-shifted, captioned) is hashed
and compared with its original: recall is the share within 31 bits. False matches are the
pairs of different originals within 31 bits, and the variants within 31 bits of an original
they were not made from. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections import defaultdict

import numpy as np

from conductlens.images.pdq import MATCH_DISTANCE, MIN_QUALITY, as_words, distances, pdq_of
from conductlens.images.synthetic import FONTS, meme, scene, variants

WORDS = ("shift", "briefing", "custody", "lol", "canteen", "sarge", "rota", "van", "nights")


def originals(n: int) -> list:  # type: ignore[type-arg]
    pictures = [scene(seed) for seed in range(n)]
    for i in range(n // 4):
        text = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(4 + i % 5))
        pictures.append(meme(text, font_name=FONTS[i % len(FONTS)], size=28 + 4 * (i % 6),
                             background=scene(10_000 + i), fill=(255, 255, 255), outline=2))
    return pictures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    started = time.perf_counter()
    base = originals(args.n)
    hashes = [pdq_of(p) for p in base]
    words = as_words([h.hex for h in hashes])
    near: dict[str, list[int]] = defaultdict(list)
    wrong_variant = total_variants = 0
    for index, picture in enumerate(base):
        for name, edited in variants(picture):
            found = pdq_of(edited)
            d = distances(found.hex, words)
            near[name].append(int(d[index]))
            others = np.delete(d, index)
            wrong_variant += int((others <= MATCH_DISTANCE).sum())
            total_variants += 1
    pairs = false_pairs = 0
    for i in range(len(hashes)):
        d = distances(hashes[i].hex, words[i + 1:])
        pairs += len(d)
        false_pairs += int((d <= MATCH_DISTANCE).sum())
    low = sum(h.quality <= MIN_QUALITY for h in hashes)
    print(f"machine: {platform.machine()} {platform.processor() or ''}, python "
          f"{platform.python_version()}; {len(base)} originals ({args.n} scenes, "
          f"{args.n // 4} memes); {low} of quality <= {MIN_QUALITY}")
    print(f"{'variant':<14} {'recall<=31':>10} {'median':>7} {'p90':>5} {'max':>5}")
    for name, ds in near.items():
        arr = np.array(ds)
        print(f"{name:<14} {np.mean(arr <= MATCH_DISTANCE):>10.1%} {np.median(arr):>7.0f} "
              f"{np.percentile(arr, 90):>5.0f} {arr.max():>5}")
    print(f"false matches between different originals: {false_pairs} of {pairs:,} pairs")
    print(f"variants within 31 bits of another original: {wrong_variant} of "
          f"{total_variants * (len(base) - 1):,} comparisons")
    print(f"elapsed {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
