"""SoPost ``GET /orders/{id}``: mockkit vs Stoplight Prism 5 on the same spec, in one run.

mockkit: ``mockkit serve --only sopost`` (quiet, and with its default per-request log line);
Prism: ``prism mock openapi/sopost.yaml`` with its default logging and with ``-v error``.
wrk ``-t2 -c32 -d5s --latency``, HTTP Basic credentials of the guide's organisation (both
servers check them). Target: mockkit quiet >= 2.5x Prism default and >= 1x Prism quiet, with
a p99 no worse. Writes ``bench/results/sopost_get.json``.
"""

from __future__ import annotations

import base64
from functools import partial
from typing import Any

from bench.common import (
    GUIDE_ORDER,
    HOST,
    ROOT,
    SOPOST_PASSWORD,
    SOPOST_USER,
    ensure_prism,
    interleaved,
    mockkit_command,
    prism_ratios,
    require_wrk,
    server,
    warm_and_run,
    write_result,
)
from mocks.core.server import free_port

RUNS = 3
AUTH = {
    "Authorization": "Basic "
    + base64.b64encode(f"{SOPOST_USER}:{SOPOST_PASSWORD}".encode()).decode()
}


def contenders(port: int) -> dict[str, tuple[list[str], str]]:
    prism = str(ensure_prism())
    spec = str(ROOT / "openapi" / "sopost.yaml")
    mockkit = mockkit_command("serve", "--only", "sopost", "--sopost-port", str(port))
    health = f"http://{HOST}:{port}/_mock/health"
    probe = f"http://{HOST}:{port}/orders/{GUIDE_ORDER}"
    return {
        "mockkit (--quiet)": ([*mockkit, "--quiet"], health),
        "mockkit (request log)": (mockkit, health),
        "prism (default logging)": ([prism, "mock", "-h", HOST, "-p", str(port), spec], probe),
        "prism (-v error)": (
            [prism, "mock", "-h", HOST, "-p", str(port), "-v", "error", spec],
            probe,
        ),
    }


def main() -> dict[str, Any]:
    require_wrk()
    port = free_port()
    url = f"http://{HOST}:{port}/orders/{GUIDE_ORDER}"
    starters = {
        label: partial(
            server,
            label,
            command,
            ready,
            ready=((lambda r: r.status_code == 200) if label.startswith("mockkit") else None),
        )
        for label, (command, ready) in contenders(port).items()
    }
    results = interleaved(starters, RUNS, lambda label, _: warm_and_run(label, url, headers=AUTH))
    return verdict(results)


def verdict(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    mockkit = results["mockkit (--quiet)"]
    prism_default = results["prism (default logging)"]
    prism_quiet = results["prism (-v error)"]
    ratio_default, ratio_quiet = prism_ratios(results)
    p99_ok = mockkit["p99_ms"]["median"] <= min(
        prism_default["p99_ms"]["median"], prism_quiet["p99_ms"]["median"]
    )
    data = {
        "parameters": {
            "path": f"GET /orders/{GUIDE_ORDER}",
            "wrk": "-t2 -c32 -d5s --latency",
            "runs": RUNS,
            "order": "interleaved rounds, fresh server per run",
            "auth": "HTTP Basic (guide organisation)",
            "mockkit": "mockkit serve --only sopost [--quiet]",
            "prism": "prism mock openapi/sopost.yaml [-v error]",
        },
        "results": results,
        "ratio_vs_prism_default": round(ratio_default, 2),
        "ratio_vs_prism_quiet": round(ratio_quiet, 2),
        "targets": {
            "vs_prism_default": ">= 2.5x",
            "vs_prism_quiet": ">= 1x",
            "p99": "no worse than Prism",
        },
        "pass": {
            "vs_prism_default": ratio_default >= 2.5,
            "vs_prism_quiet": ratio_quiet >= 1.0,
            "p99": p99_ok,
        },
        "statistic": "medians over runs",
    }
    path = write_result("sopost_get", data)
    print(
        f"ratio vs Prism default {ratio_default:.2f}x, vs Prism -v error {ratio_quiet:.2f}x, "
        f"p99 ok {p99_ok}; wrote {path}"
    )
    return data


if __name__ == "__main__":
    main()
