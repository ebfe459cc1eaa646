"""Micro-benchmark: the WhatsApp text parser alone, best of N by process time.

    python bench/parse_whatsapp.py [--lines 200000] [--rounds 3] [--profile]

Counts records by type and prints a digest of the records, so a rewrite can be checked to
give exactly the same output as before.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import tempfile
import time
from collections import Counter
from pathlib import Path

from conductlens.demo import write_android_txt
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.whatsapp_text import WhatsAppText


def _once(path: Path) -> tuple[float, int]:
    t0 = time.process_time()
    n = sum(1 for _ in WhatsAppText().parse(Source.open(path), ParseOptions()))
    return time.process_time() - t0, n


def _digest(path: Path) -> tuple[str, Counter[str]]:
    h = hashlib.sha256()
    kinds: Counter[str] = Counter()
    for r in WhatsAppText().parse(Source.open(path), ParseOptions()):
        kinds[type(r).__name__] += 1
        h.update(repr(r).encode())
    return h.hexdigest()[:16], kinds


def main() -> None:
    """Time the parser on a generated Android export."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--file", type=Path, default=None)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "chat.txt"
        if args.file is None:
            write_android_txt(path, args.lines, seed=7)
        if args.profile:
            cProfile.runctx("_once(path)", globals(), {"path": path, "_once": _once}, "/tmp/p")
            pstats.Stats("/tmp/p").sort_stats("tottime").print_stats(20)
            return
        digest, kinds = _digest(path)
        msgs = kinds["Message"]
        best = min(_once(path)[0] for _ in range(args.rounds))
        print(f"digest {digest} {dict(kinds)}")
        print(f"best of {args.rounds}: {best:.3f} s cpu, {msgs / best:,.0f} msg/s")


if __name__ == "__main__":
    main()
