"""Print detection throughput over synthetic police chat messages.

    python bench/scan.py [--n 1000000]

Six figures on the same messages, in the same run: the fast tier (normalise + lexicons +
context + pattern recognisers) in one process, the semantic second stage alone on the messages
that name a group (its candidates), the share the cascade sends on to the conduct model and the
model's own speed on them, the full policy scan (adding the classifiers, the second
stage and the category rules) in one process and then on every core (the
``ProcessPoolExecutor`` path that ``conductlens scan --workers`` uses), and
alt-profanity-check's ``predict_prob`` when it is installed. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import platform
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from conductlens.detect.base import Hit
from conductlens.detect.features import featurise_normal
from conductlens.detect.normalise import normalise
from conductlens.detect.policy import Policy, load_policy
from conductlens.detect.scan import CHUNK, Scanner, scan_batch, scanner
from conductlens.detect.semantic import clear_cache, use_threads

WORDS = tuple(
    re.findall(
        r"\w+",
        """the van is at the nick bring keys shift brew arrest custody sarge mate today tonight
        job done suspect road car radio briefing statement cordon nights earlies lates overtime
        canteen traffic collision burglary warrant witness victim search exhibit station control
        response""",
    )
)
SPICE = ("fucking", "p4ki", "delete this chat", "07911 123456", "AB12 CDE", "you muppet", "weed",
         "those immigrants")  # fmt: skip  # the last names a group: a second-stage candidate


def messages(n: int, seed: int = 2026) -> list[str]:
    """``n`` synthetic chat lines of 4-16 words; about 1 in 20 carries something to find."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(4, 16))]
        if rnd.random() < 0.05:
            words.insert(rnd.randrange(len(words)), rnd.choice(SPICE))
        out.append(" ".join(words))
    return out


def rate(label: str, texts: Sequence[str], run: Callable[[Sequence[str]], object]) -> None:
    """Time ``run`` over ``texts`` in chunks; print messages per CPU-second and per wall-second.

    CPU time of this process is the per-core figure; wall time suffers when the machine is
    shared, so both are shown.
    """
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), CHUNK):
        run(texts[i : i + CHUNK])
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{label:<42} {len(texts) / used:>10,.0f} msg/CPU-s {len(texts) / elapsed:>10,.0f} "
        f"msg/s wall ({elapsed:.1f} s)",
        flush=True,
    )


@functools.cache
def _worker_policy() -> Policy:
    use_threads(1)  # one process per core, as conductlens.detect.run's workers do
    return load_policy()  # once per worker process, as conductlens.detect.run does


def _scan_chunk(batch: Sequence[str]) -> int:
    return len(scan_batch(_worker_policy(), [(str(i), t) for i, t in enumerate(batch)]))


def all_cores(texts: Sequence[str]) -> None:
    """The full scan spread over one process per core, as ``scan --workers 0`` does."""
    workers = os.cpu_count() or 1
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    # Spawned, as conductlens.detect.run does: forking after torch has run can deadlock.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_scan_chunk, chunks[:workers]))  # warm: each worker loads the models
        start = time.perf_counter()
        sum(pool.map(_scan_chunk, chunks))
        elapsed = time.perf_counter() - start
    label = f"full policy scan, {workers} processes"
    print(
        f"{label:<42} {'':>10} {'':9} {len(texts) / elapsed:>10,.0f} msg/s wall ({elapsed:.1f} s)",
        flush=True,
    )


def conduct_share(scan: Scanner, texts: Sequence[str]) -> None:
    """The share of messages the cascade sends on to the conduct model, and its own speed."""
    if not scan.cascades:
        return
    cascade = scan.cascades[0]
    sent: list[str] = []
    for i in range(0, len(texts), CHUNK):
        batch = texts[i : i + CHUNK]
        normal = [normalise(t) for t in batch]
        grouped: dict[int, list[Hit]] = defaultdict(list)
        for hit in scan.lexicon.detect_normalised(batch, normal):
            grouped[hit.index].append(hit)
        for hit in scan.patterns.detect(batch):
            grouped[hit.index].append(hit)
        features = featurise_normal(normal, cascade.buckets or 0)
        sent += [batch[j] for j in cascade.candidates(len(batch), grouped, features)]
    print(f"sent on to the conduct model: {len(sent):,} of {len(texts):,} "
          f"({len(sent) / len(texts):.1%})")  # fmt: skip
    rate("conduct model alone, on what is sent on", sent[:1000], cascade.model.probabilities)


def main() -> None:
    """Parse arguments and print the three figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    texts = messages(args.n)
    machine = platform.processor() or platform.machine()
    print(f"{args.n:,} messages, {machine}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    scan = scanner(load_policy())

    def fast(batch: Sequence[str]) -> None:
        normal = [normalise(t) for t in batch]
        for _ in scan.lexicon.detect_normalised(batch, normal):
            pass
        for _ in scan.patterns.detect(batch):
            pass

    rate("fast tier (lexicons + context + patterns)", texts, fast)
    model = scan.semantic[0][0]
    candidates = [t for t in texts if "immigrants" in t]
    print(f"second-stage candidates: {len(candidates):,} ({len(candidates) / len(texts):.1%})")
    rate("semantic stage alone, on the candidates", candidates[:4000], model.scores)
    conduct_share(scan, texts[:20_000])
    clear_cache()  # the full scan must encode its candidates itself
    rate("full policy scan (+ classifiers, rules)", texts,
         lambda b: scan.scan([(str(i), t) for i, t in enumerate(b)]))  # fmt: skip
    all_cores(texts)
    try:
        from profanity_check import predict_prob
    except ImportError:
        print("alt-profanity-check not installed: comparison skipped")
        return
    rate("alt-profanity-check predict_prob", texts, lambda b: predict_prob(list(b)))


if __name__ == "__main__":
    main()
