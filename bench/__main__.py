"""`python -m bench` (what `make bench` runs): every benchmark in turn, or `--only NAME`.

Each benchmark runs in its own interpreter, so one's memory or threads never colour the next
(sopost_memory measures RSS). Tools are installed on first use: Stoplight Prism 5 into
bench/node_modules (bench/package.json), the `bench` extras (waitress, gunicorn) into this
interpreter. Without `wrk`, the wrk-based benchmarks say how to install it and are skipped.
Results: bench/results/<name>.json.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = {
    "wsgi_servers": "waitress vs gunicorn vs granian serving the SoPost mock (wrk)",
    "sopost_get": "SoPost GET /orders/{id}: mockkit vs Prism 5 (wrk)",
    "mocks_vs_prism": "both mocks vs Prism 5, log on and quiet, the Flask ceiling, cold start",
    "webhook_dispatch": "transition -> webhook at the receiver, p50/p99",
    "sopost_memory": "100k orders in SoPost state: RSS growth, flat lookups",
    "poplar_submit": "Poplar POST /v1/order validation cost (in-process)",
    "poplar_throughput": "Poplar POST /v1/order: mockkit vs Prism 5 (wrk + Lua)",
    "harness": "reference harness: forwarding rate, end-to-end latency, ack latency",
    "harness_faults": "harness draining 1,000 orders under Poplar 20 % 429 + 20 % 500 vs none",
    "harness_scale": "harness on 1-3 processes, PostgreSQL vs SQLite inbox: forwarding, acks",
    "verify_harness": "mockkit verify against the harness",
    "provider_conformance": "schemathesis cases/s against the mocks, in-process",
}
SKIPPED = 3


def available() -> dict[str, str]:
    here = Path(__file__).resolve().parent
    return {name: about for name, about in BENCHMARKS.items() if (here / f"{name}.py").exists()}


def child(name: str) -> int:
    from bench.common import Skip

    module = importlib.import_module(f"bench.{name}")
    try:
        module.main()
    except Skip as skip:
        print(f"skipped: {skip}", flush=True)
        return SKIPPED
    return 0


def main(argv: list[str] | None = None) -> int:
    names = available()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=sorted(names),
        action="append",
        help="run just this benchmark (repeatable)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if args.list:
        for name, about in names.items():
            print(f"{name:<18} {about}")
        return 0
    outcome = {}
    for name in args.only or list(names):
        print(f"=== {name}: {names[name]}", flush=True)
        started = time.monotonic()
        code = subprocess.run([sys.executable, "-m", "bench", "--child", name]).returncode
        outcome[name] = {0: "ok", SKIPPED: "skipped"}.get(code, f"failed ({code})")
        print(f"=== {name}: {outcome[name]} in {time.monotonic() - started:.0f} s", flush=True)
    print("\n".join(f"{name:<18} {result}" for name, result in outcome.items()))
    return 1 if any(r.startswith("failed") for r in outcome.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
