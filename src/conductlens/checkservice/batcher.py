"""Checks from concurrent requests gathered into one batch, run on one worker thread.

The event loop never runs the policy itself: a request puts its text on a queue and awaits
its answer; one task takes whatever is waiting (up to ``MAX_BATCH``), runs the policy over all
of it on a single worker thread (the detectors are vectorised, and the encoder of the second
stage runs once per batch instead of once per request) and hands each request its findings.
One thread also means the encoder and its cache are never used from two threads at once, and
the cache is emptied after every batch, so no message text stays in memory after its answer.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from conductlens.detect.base import Finding
from conductlens.detect.policy import Policy
from conductlens.detect.scan import Scanner, scanner
from conductlens.detect.semantic import clear_cache

MAX_BATCH = 64
# Texts that reach every stage of the baseline, the second stage included (it is loaded on
# its first candidate, which takes seconds: a request must never wait for that).
WARM_UP = ("morning all", "those immigrants", "the women on nights", "muslims", "gay lads")
_Waiting = tuple[str, asyncio.Future[list[Finding]]]


def check_batch(scan: Scanner, texts: list[str]) -> list[list[Finding]]:
    """The findings of each text, in order (as ``check_text`` gives them one by one)."""
    try:
        found = scan.scan([(str(i), text) for i, text in enumerate(texts)])
    finally:
        clear_cache()
    grouped: list[list[Finding]] = [[] for _ in texts]
    for finding in found:
        grouped[int(finding.message_id)].append(finding)
    return grouped


@dataclass
class Batcher:
    """Start with :meth:`start` inside the running loop; :meth:`check` one text at a time."""

    policy: Policy
    _queue: asyncio.Queue[_Waiting] = field(default_factory=asyncio.Queue)
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="check")
    )
    _task: asyncio.Task[None] | None = None
    _scanner: Scanner | None = None

    def start(self) -> None:
        """Begin taking batches off the queue (after :meth:`warm`)."""
        assert self._scanner is not None, "warm() first"
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the batching task and the worker thread."""
        if self._task is not None:
            self._task.cancel()
        self._pool.shutdown(wait=True)

    async def warm(self) -> None:
        """Compile and load everything once, before the first request."""
        loop = asyncio.get_running_loop()
        # Held, not looked up per batch: hashing a policy for the cache costs milliseconds.
        self._scanner = await loop.run_in_executor(self._pool, scanner, self.policy)
        await loop.run_in_executor(self._pool, check_batch, self._scanner, list(WARM_UP))

    async def check(self, text: str) -> list[Finding]:
        """The findings for ``text``; waits for its batch."""
        answer: asyncio.Future[list[Finding]] = asyncio.get_running_loop().create_future()
        await self._queue.put((text, answer))
        return await answer

    async def _run(self) -> None:
        loop, scan = asyncio.get_running_loop(), self._scanner
        assert scan is not None, "warm() first"
        while True:
            waiting = [await self._queue.get()]
            while len(waiting) < MAX_BATCH and not self._queue.empty():
                waiting.append(self._queue.get_nowait())
            texts = [text for text, _ in waiting]
            try:
                results = await loop.run_in_executor(self._pool, check_batch, scan, texts)
            except Exception as exc:  # noqa: BLE001 - every waiting request gets the error
                for _, answer in waiting:
                    answer.set_exception(exc)
                continue
            for (_, answer), findings in zip(waiting, results, strict=True):
                if not answer.done():
                    answer.set_result(findings)
