"""Load test of ``conductlens serve-check`` on loopback: 50 concurrent clients.

    python bench/serve_check_load.py [--clients 50] [--requests 3000]

Starts the service in a child process (rate limit off: every client is 127.0.0.1), waits for
it, then sends ``--requests`` checks of synthetic chat messages (bench/scan.py's mix, about 1
in 20 with something to find) from ``--clients`` concurrent keep-alive clients, and prints the
p50 / p99 latency and the throughput. Bounded: it stops after the requests or ``--seconds``.
Printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from scan import messages  # noqa: E402  (bench/scan.py's generator)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(port: int) -> subprocess.Popen[bytes]:
    code = "import sys; from conductlens.cli import main; sys.argv[0] = 'conductlens'; main()"
    args = ["serve-check", "--port", str(port), "--per-minute", "0"]
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL)


async def _wait_ready(url: str, seconds: float = 120.0) -> None:
    async with httpx.AsyncClient() as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if (await client.post(url, json={"text": "warm"})).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the service did not start")


async def _clients(url: str, texts: list[str], clients: int, seconds: float) -> tuple[
    list[float], int, float
]:
    latencies: list[float] = []
    errors = 0
    queue = iter(texts)
    stop = time.monotonic() + seconds

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for text in queue:
            if time.monotonic() > stop:
                return
            start = time.perf_counter()
            answer = await client.post(url, json={"text": text})
            latencies.append(time.perf_counter() - start)
            errors += answer.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        began = time.perf_counter()
        await asyncio.gather(*(one(client) for _ in range(clients)))
        return latencies, errors, time.perf_counter() - began


def main() -> None:
    """Start the service, load it, print the figures, stop it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/v1/check"
    server = _start(port)
    try:
        asyncio.run(_wait_ready(url))
        texts = messages(args.requests, seed=7)
        latencies, errors, elapsed = asyncio.run(
            _clients(url, texts, args.clients, args.seconds)
        )
    finally:
        server.terminate()
        server.wait(10)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"serve-check on 127.0.0.1, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"{len(latencies):,} checks from {args.clients} concurrent clients in {elapsed:.1f} s, "
          f"{errors} errors")  # fmt: skip
    print(f"p50 {cuts[49] * 1000:.1f} ms   p99 {cuts[98] * 1000:.1f} ms   "
          f"throughput {len(latencies) / elapsed:,.0f} checks/s")  # fmt: skip


if __name__ == "__main__":
    main()
