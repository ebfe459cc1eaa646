"""Benchmark: parsing and ingesting a 1,000,000-line WhatsApp Android export.

Generates a deterministic export with the demo generator, then runs, alternating and each in
its own process: our parser alone, the full `conductlens ingest` (SQLite + FTS5), and whatstk
0.9.1's `df_from_whatsapp(path, auto_header=True, max_size=None)`. Prints messages/s and peak
RSS per run and the medians. Needs `pip install -e '.[bench]'` for whatstk.

    python bench/ingest_whatsapp.py [--lines 1000000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD_PARSE = """
import json, resource, sys, time
from pathlib import Path
from conductlens.ingest.base import ParseOptions, Source
from conductlens.ingest.whatsapp_text import WhatsAppText
from conductlens.model import Message
path = Path(sys.argv[1])
t0 = time.perf_counter()
n = sum(1 for r in WhatsAppText().parse(Source.open(path), ParseOptions()) if type(r) is Message)
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"messages": n, "seconds": dt, "rss_mib": rss}))
"""

CHILD_INGEST = """
import json, resource, sys, time
from conductlens.cli import app
t0 = time.perf_counter()
try:
    app([ "ingest", sys.argv[1], "--db", sys.argv[2], "--json"], standalone_mode=False)
finally:
    dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": dt, "rss_mib": rss}))
"""

CHILD_WHATSTK = """
import json, resource, sys, time
from whatstk import df_from_whatsapp
t0 = time.perf_counter()
df = df_from_whatsapp(sys.argv[1], auto_header=True, max_size=None)
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"messages": len(df), "seconds": dt, "rss_mib": rss}))
"""


def _run(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    ).stdout.strip().splitlines()
    result: dict[str, float] = {}
    for line in out:  # the ingest child also prints the CLI's own JSON
        data = json.loads(line)
        if "exhibits" in data:
            result["messages"] = data["exhibits"][0]["messages"]
        else:
            result.update(data)
    return result


def _generate(path: Path, lines: int) -> None:
    from conductlens.demo import write_android_txt

    write_android_txt(path, lines, seed=7)


def main() -> None:
    """Run the benchmark and print a table of figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "WhatsApp Chat with Team 3.txt"
        _generate(export, args.lines)
        size = export.stat().st_size
        machine = platform.processor() or platform.machine()
        print(f"export: {args.lines:,} lines, {size / 2**20:.1f} MiB; {machine}, "
              f"Python {platform.python_version()}")
        runs: dict[str, list[dict[str, float]]] = {"parse": [], "ingest": [], "whatstk": []}
        for r in range(args.rounds):
            runs["parse"].append(_run(CHILD_PARSE, str(export)))
            runs["ingest"].append(_run(CHILD_INGEST, str(export), str(Path(tmp) / f"b{r}.db")))
            runs["whatstk"].append(_run(CHILD_WHATSTK, str(export)))
            for name in runs:
                last = runs[name][-1]
                rate = last["messages"] / last["seconds"]
                print(f"round {r + 1} {name:8s} {last['messages']:>9,.0f} msgs "
                      f"{last['seconds']:7.2f} s {rate:>10,.0f} msg/s "
                      f"peak RSS {last['rss_mib']:6.0f} MiB")
        med = {
            name: statistics.median(x["messages"] / x["seconds"] for x in rs)
            for name, rs in runs.items()
        }
        rss = {name: max(x["rss_mib"] for x in rs) for name, rs in runs.items()}
        print("\nmedian msg/s: " + ", ".join(f"{k} {v:,.0f}" for k, v in med.items()))
        print(f"parse / whatstk  = {med['parse'] / med['whatstk']:.1f}x (target >= 5x)")
        print(f"ingest / whatstk = {med['ingest'] / med['whatstk']:.1f}x (target >= 2x)")
        print(f"peak RSS: parse {rss['parse']:.0f} MiB, ingest {rss['ingest']:.0f} MiB "
              f"(target <= 300), whatstk {rss['whatstk']:.0f} MiB")


if __name__ == "__main__":
    main()
