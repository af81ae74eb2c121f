"""Both mocks against Stoplight Prism 5 in one run, request logging on and quiet, and the ceiling.

Contenders, each started fresh for every measurement and measured in interleaved rounds (the
machine is shared, so its drifting load falls on all alike; medians are reported):

- SoPost ``GET /orders/{id}`` (HTTP Basic): ``mockkit serve --only sopost`` with its request
  log and with ``--quiet``; ``prism mock openapi/sopost.yaml`` with its default logging and
  with ``-v error``.
- Poplar ``POST /v1/order`` (a fresh ``order_id`` per request, bench/poplar_throughput.py's
  script): the same four on ``openapi/poplar.yaml``.
- The ceiling: a trivial Flask app (one JSON route) on granian with mockkit's settings, so the
  distance from the mocks to what Flask on this server can do at all is known.

wrk ``-t2 -c16 -d5s --latency`` after a 1 s warm-up. Goals: each mock >= 2x Prism in both
modes (log on vs Prism's default, quiet vs ``-v error``) with a p99 at or below Prism's; cold
start (``mockkit serve`` to the first 200) <= 0.5 s. Writes ``bench/results/mocks_vs_prism.json``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from functools import partial
from typing import Any

import requests

from bench.common import (
    GUIDE_ORDER,
    HOST,
    ROOT,
    ensure_prism,
    interleaved,
    mockkit_command,
    require_wrk,
    server,
    warm_and_run,
    write_result,
    wrk,
)
from bench.poplar_throughput import lua_script
from bench.sopost_get import AUTH as SOPOST_AUTH
from mocks.core.server import free_port
from servekit.launch import launch_command

ROUNDS = 3
WRK = {"threads": 2, "connections": 16, "duration": 5}


def _contenders(port: int) -> dict[str, tuple[list[str], str, dict[str, Any]]]:
    """label -> (command, readiness URL, how wrk calls it)."""
    prism = str(ensure_prism())
    base = f"http://{HOST}:{port}"
    sopost = mockkit_command("serve", "--only", "sopost", "--sopost-port", str(port))
    poplar = mockkit_command(
        "serve", "--only", "poplar", "--poplar-port", str(port), "--rate-limit", "100000000/1s"
    )
    get = {"url": f"{base}/orders/{GUIDE_ORDER}", "headers": SOPOST_AUTH}
    table: dict[str, tuple[list[str], str, dict[str, Any]]] = {}
    for vendor, mock, call in (("sopost", sopost, get), ("poplar", poplar, None)):
        spec = str(ROOT / "openapi" / f"{vendor}.yaml")
        probe = get["url"] if vendor == "sopost" else f"{base}/v1/me"
        health = f"{base}/_mock/health"
        prism_cmd = [prism, "mock", "-h", HOST, "-p", str(port), spec]
        for label, command, ready in (
            ("mockkit (request log)", mock, health),
            ("mockkit (--quiet)", [*mock, "--quiet"], health),
            ("prism (default logging)", prism_cmd, probe),
            ("prism (-v error)", [*prism_cmd, "-v", "error"], probe),
        ):
            table[f"{vendor} {label}"] = (command, ready, call or {"url": base})
    ceiling = launch_command("bench.trivial_flask:create_app", HOST, port)
    table["ceiling: trivial Flask on granian"] = (ceiling, f"{base}/", {"url": f"{base}/"})
    return table


def _measure(calls: dict[str, dict[str, Any]], label: str, number: int) -> dict[str, Any]:
    call = calls[label]
    if not label.startswith("poplar"):
        return warm_and_run(label, call["url"], headers=call.get("headers"), **WRK)
    # The warm-up gets its own order ids: a repeated id would be a 409, not an order.
    tag = "".join(c for c in label if c.isalnum())
    wrk(call["url"], script=lua_script(f"{tag}{number}w"), **{**WRK, "duration": 1})
    result = wrk(call["url"], script=lua_script(f"{tag}{number}"), **WRK)
    print(
        f"  {label}: {result['rps']:.0f} req/s, p99 {result.get('p99_ms')} ms, "
        f"non-2xx {result['non_2xx']}, load {result['loadavg_before'][0]}",
        flush=True,
    )
    return result


def cold_start(port: int, samples: int = 5) -> dict[str, Any]:
    """Seconds from launching ``mockkit serve --only sopost`` to its first 200."""

    times = []
    for _ in range(samples):
        command = mockkit_command(
            "serve", "--only", "sopost", "--sopost-port", str(port), "--quiet"
        )
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            while True:
                try:
                    if requests.get(f"http://{HOST}:{port}/_mock/health", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.005)
            times.append(time.perf_counter() - started)
        finally:
            process.terminate()
            process.wait(timeout=15)
        time.sleep(0.5)
    return {"seconds": [round(t, 3) for t in times], "median": round(statistics.median(times), 3)}


def verdict(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    def median(label: str, key: str) -> float:
        return results[label][key]["median"]

    table = {}
    for vendor in ("sopost", "poplar"):
        for mode, mock, prism in (
            ("request log", "mockkit (request log)", "prism (default logging)"),
            ("quiet", "mockkit (--quiet)", "prism (-v error)"),
        ):
            ours, theirs = f"{vendor} {mock}", f"{vendor} {prism}"
            ratio = median(ours, "rps") / median(theirs, "rps")
            table[f"{vendor} {mode}"] = {
                "mockkit_rps": median(ours, "rps"),
                "prism_rps": median(theirs, "rps"),
                "ratio": round(ratio, 2),
                "mockkit_p99_ms": median(ours, "p99_ms"),
                "prism_p99_ms": median(theirs, "p99_ms"),
                "pass_2x": ratio >= 2.0,
                "pass_p99": median(ours, "p99_ms") <= median(theirs, "p99_ms"),
            }
    return table


def main() -> dict[str, Any]:
    require_wrk()
    port = free_port()
    table = _contenders(port)
    starters: dict[str, Any] = {
        label: partial(server, label, command, ready)
        for label, (command, ready, _) in table.items()
    }
    calls = {label: call for label, (_, _, call) in table.items()}
    results = interleaved(starters, ROUNDS, partial(_measure, calls))
    start = cold_start(free_port())
    comparison = verdict(results)
    ceiling = results["ceiling: trivial Flask on granian"]["rps"]["median"]
    data = {
        "parameters": {
            "wrk": f"-t{WRK['threads']} -c{WRK['connections']} -d{WRK['duration']}s --latency",
            "rounds": ROUNDS,
            "order": "interleaved rounds, fresh server per measurement, medians",
            "machine": "shared with other engineers' tests and benchmarks (see loadavg_before)",
        },
        "results": results,
        "comparison": comparison,
        "ceiling_rps": ceiling,
        "cold_start": {**start, "pass": start["median"] <= 0.5},
    }
    path = write_result("mocks_vs_prism", data)
    for name, row in comparison.items():
        print(
            f"{name:<20} mockkit {row['mockkit_rps']:>7.0f} req/s p99 {row['mockkit_p99_ms']:>7.1f}"
            f" ms | prism {row['prism_rps']:>7.0f} p99 {row['prism_p99_ms']:>7.1f} ms | "
            f"{row['ratio']:.2f}x"
        )
    print(f"ceiling {ceiling:.0f} req/s; cold start {start['median']} s; wrote {path}")
    return data


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
