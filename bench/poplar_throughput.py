"""Poplar ``POST /v1/order`` throughput: mockkit vs Stoplight Prism 5 on openapi/poplar.yaml.

wrk with a Lua script that sends the docs' example body with a fresh ``order_id`` on every
request (the mock answers 409 to a duplicate) and ``Authorization: Bearer bench-token``.
mockkit runs ``mockkit serve --only poplar --quiet --rate-limit 100000000/1s`` (fresh per
run); afterwards its ``/_mock/orders`` count must match the 200s wrk saw (plus at most the
requests still in flight when wrk stopped the clock). Target: >= 2.5x Prism's default.
Writes ``bench/results/poplar_throughput.json``.
"""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path
from typing import Any

import requests

from bench.common import (
    HOST,
    RESULTS,
    ROOT,
    ensure_prism,
    interleaved,
    mockkit_command,
    prism_ratios,
    require_wrk,
    server,
    write_result,
    wrk,
)
from mocks.core.server import free_port
from mocks.poplar.fixtures import example_request

RUNS = 3
CONNECTIONS = 32
TOKEN = "bench-token"
PLACEHOLDER = "__ORDER_ID__"


def lua_script(prefix: str) -> Path:
    """A wrk script: every request a valid body with an order_id unique to (run, thread, n)."""
    body = json.dumps({**example_request("docs"), "order_id": PLACEHOLDER})
    head, tail = body.split(PLACEHOLDER)
    script = f"""
local head = [==[{head}]==]
local tail = [==[{tail}]==]
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("me", "t" .. threads)  -- a global in that thread's own Lua state
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer {TOKEN}"
end

function request()
  counter = counter + 1
  return wrk.format(nil, "/v1/order", nil, head .. "{prefix}-" .. me .. "-" .. counter .. tail)
end
"""
    path = RESULTS / "logs" / f"poplar_{prefix}.lua"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script, encoding="utf-8")
    return path


def contenders(port: int) -> dict[str, tuple[list[str], str, bool]]:
    prism = str(ensure_prism())
    spec = str(ROOT / "openapi" / "poplar.yaml")
    mockkit = mockkit_command(
        "serve", "--only", "poplar", "--poplar-port", str(port), "--rate-limit", "100000000/1s"
    )
    return {
        "mockkit (--quiet)": ([*mockkit, "--quiet"], f"http://{HOST}:{port}/_mock/health", True),
        "prism (default logging)": (
            [prism, "mock", "-h", HOST, "-p", str(port), spec],
            f"http://{HOST}:{port}/v1/me",
            False,
        ),
        "prism (-v error)": (
            [prism, "mock", "-h", HOST, "-p", str(port), "-v", "error", spec],
            f"http://{HOST}:{port}/v1/me",
            False,
        ),
    }


def stored_orders(base: str) -> int:
    """Orders the mock holds, once the count has settled (wrk stops its clock, not the server).

    Retries a 500: listing orders while the last requests are still being stored can fail
    with "dictionary changed size during iteration" (mocks/poplar/control.py iterates an
    account's orders without the state lock).
    """
    previous = None
    for _ in range(50):
        response = requests.get(f"{base}/_mock/orders", timeout=60)
        if response.status_code == 200:
            count = sum(a["order_count"] for a in response.json()["accounts"])
            if count == previous:
                return count
            previous = count
        time.sleep(0.2)
    raise RuntimeError(f"order count did not settle at {base}")


def main() -> dict[str, Any]:
    require_wrk()
    port = free_port()
    base = f"http://{HOST}:{port}"
    table = contenders(port)

    def measure(label: str, number: int) -> dict[str, Any]:
        is_mockkit = table[label][2]
        wrk(
            f"{base}/v1/order",
            duration=1,
            connections=CONNECTIONS,
            script=lua_script(f"warm{number}"),
        )
        warm = stored_orders(base) if is_mockkit else 0
        sample = wrk(f"{base}/v1/order", connections=CONNECTIONS, script=lua_script(f"run{number}"))
        sample["ok_200"] = sample["requests"] - sample["non_2xx"]
        if is_mockkit:
            stored = stored_orders(base) - warm
            sample["stored"] = stored
            sample["stored_minus_200s"] = stored - sample["ok_200"]
            sample["consistent"] = 0 <= stored - sample["ok_200"] <= CONNECTIONS
        print(
            f"  {label}: {sample['rps']:.0f} req/s, p99 {sample.get('p99_ms')} ms, non-2xx "
            f"{sample['non_2xx']}, stored {sample.get('stored', '-')}, "
            f"load {sample['loadavg_before'][0]}",
            flush=True,
        )
        return sample

    # A fresh server per run, so each run's stored count stands alone; rounds interleaved.
    starters = {
        label: partial(
            server,
            label,
            command,
            ready,
            ready=(lambda r: r.status_code == 200) if is_mockkit else None,
        )
        for label, (command, ready, is_mockkit) in table.items()
    }
    results = interleaved(starters, RUNS, measure)
    mockkit = results["mockkit (--quiet)"]
    ratio, ratio_quiet = prism_ratios(results)
    all_ok = all(s["non_2xx"] == 0 for s in mockkit["samples"])
    consistent = all(s["consistent"] for s in mockkit["samples"])
    data = {
        "parameters": {
            "path": "POST /v1/order",
            "body": "docs example, unique order_id",
            "wrk": f"-t2 -c{CONNECTIONS} -d5s --latency -s <lua>",
            "runs": RUNS,
            "mockkit": "mockkit serve --only poplar --quiet --rate-limit 100000000/1s",
            "prism": "prism mock openapi/poplar.yaml [-v error]",
            "token": f"Bearer {TOKEN}",
        },
        "results": results,
        "ratio_vs_prism_default": round(ratio, 2),
        "ratio_vs_prism_quiet": round(ratio_quiet, 2),
        "mockkit_all_200": all_ok,
        "mockkit_stored_matches_200s": consistent,
        "targets": {
            "vs_prism_default": ">= 2.5x",
            "stored": "every 200 stored (count within in-flight requests at wrk stop)",
        },
        "pass": {"vs_prism_default": ratio >= 2.5, "stored": consistent and all_ok},
        "statistic": "medians over runs",
    }
    path = write_result("poplar_throughput", data)
    print(
        f"ratio vs Prism default {ratio:.2f}x (vs -v error {ratio_quiet:.2f}x), stored "
        f"consistent {consistent}; wrote {path}"
    )
    return data


if __name__ == "__main__":
    main()
