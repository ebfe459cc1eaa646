"""A token bucket per client, in memory only: a client may make ``burst`` requests at once and
then ``per_minute`` a minute; the answer to one request too many says when to try again."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_CLIENTS = 10_000  # forget the least recently seen beyond this: memory stays bounded


@dataclass
class RateLimiter:
    """``allow(client)`` gives 0.0 when the request may go ahead, else seconds to wait."""

    per_minute: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> float:
        """Take one token for ``client``; return 0.0, or how long until a token is free."""
        if self.per_minute <= 0:
            return 0.0  # limiting switched off (a load test on loopback)
        rate = self.per_minute / 60.0
        with self._lock:
            now = self.clock()
            tokens, seen = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - seen) * rate)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate
            self._buckets[client] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            return wait


def retry_after(wait: float) -> str:
    """The ``Retry-After`` header value: whole seconds, at least one."""
    return str(max(1, math.ceil(wait)))
