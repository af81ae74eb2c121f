"""Which server serves the mocks: waitress vs gunicorn (gthread) vs granian (WSGI) vs granian
(RSGI with servekit's bridge, what ``mockkit serve`` runs since issue 12).

Same Flask app (the SoPost mock, quiet), one process each (the mocks keep their
state in memory), ``GET /orders/{guide order}`` with wrk ``-t2 -c32 -d5s --latency``. Then the
robustness probe: while 1 (and then 3) requests sit in a 500 ms latency fault, how long do
ordinary requests take? A server whose threads are all stuck stalls everyone.
Writes ``bench/results/wsgi_servers.json``.
"""

from __future__ import annotations

import threading
import time
from functools import partial
from typing import Any

import requests

from bench.common import (
    GUIDE_ORDER,
    HOST,
    PYTHON,
    ensure_bench_extras,
    interleaved,
    latency_summary,
    loadavg,
    require_wrk,
    server,
    warm_and_run,
    write_result,
)
from mockkit.apps import sopost_app
from mocks.core.server import free_port
from servekit.launch import launch_command

RUNS = 3
THREADS = 4  # waitress and gunicorn threads: what mockkit serve gives granian today
GRANIAN_THREADS = (1, 2, 4, 8)
FAULT_MS = 500
SLOW_ID = "00000000-0000-4000-8000-00000000beef"
ENV = {"MOCKKIT_SOPOST_OPTIONS": '{"runtime": {"log_requests": false}}'}  # a SoPostConfig
FACTORY = "bench.wsgi_servers:sopost_flask"  # the WSGI app itself, for the WSGI servers


def sopost_flask() -> Any:
    """The SoPost mock's Flask app, as ``mockkit serve`` builds it, without servekit."""
    return sopost_app().app


def commands(port: int) -> dict[str, list[str]]:
    found = {
        f"waitress ({THREADS} threads)": [
            PYTHON,
            "-m",
            "waitress",
            f"--listen={HOST}:{port}",
            f"--threads={THREADS}",
            "--call",
            FACTORY,
        ],
        f"gunicorn (1 gthread worker, {THREADS} threads)": [
            PYTHON,
            "-m",
            "gunicorn",
            "-w",
            "1",
            "-k",
            "gthread",
            "--threads",
            str(THREADS),
            "-b",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            f"{FACTORY}()",
        ],
    }
    for threads in GRANIAN_THREADS:
        found[f"granian (1 worker, {threads} blocking threads)"] = [
            PYTHON,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "1",
            "--blocking-threads",
            str(threads),
            "--no-access-log",
            "--log-level",
            "warning",
            FACTORY,
        ]
    found["granian RSGI + servekit (mockkit serve)"] = launch_command(
        "mockkit.apps:sopost_app", HOST, port
    )
    return found


def stall_probe(base: str, slow: int) -> dict[str, Any]:
    """``slow`` requests hit a 500 ms fault; meanwhile 20 ordinary requests, one at a time."""
    session = requests.Session()
    session.get(f"{base}/orders/{GUIDE_ORDER}", timeout=5)
    fault = session.post(
        f"{base}/_mock/faults",
        timeout=5,
        json={"method": "GET", "path": f"/orders/{SLOW_ID}", "latency_ms": FAULT_MS},
    ).json()

    def slow_call() -> None:
        requests.get(f"{base}/orders/{SLOW_ID}", timeout=10)

    stalled = [threading.Thread(target=slow_call) for _ in range(slow)]
    for thread in stalled:
        thread.start()
    time.sleep(0.05)  # the slow ones are in the app by now
    latencies = []
    deadline = time.perf_counter() + FAULT_MS / 1000 - 0.1
    while time.perf_counter() < deadline or len(latencies) < 5:
        started = time.perf_counter()
        response = session.get(f"{base}/orders/{GUIDE_ORDER}", timeout=10)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        if len(latencies) >= 20:
            break
    for thread in stalled:
        thread.join()
    session.delete(f"{base}/_mock/faults/{fault['id']}", timeout=5)
    summary = latency_summary(latencies)
    # Served "during" the fault: the first ordinary request came back well before the slow one.
    return {
        "slow_requests": slow,
        "first_ms": round(latencies[0], 3),
        "served_during_fault": latencies[0] < FAULT_MS / 2,
        **summary,
    }


def main() -> dict[str, Any]:
    require_wrk()
    ensure_bench_extras()
    port = free_port()
    base = f"http://{HOST}:{port}"
    probes: dict[str, list[dict[str, Any]]] = {}

    def measure(label: str, number: int) -> dict[str, Any]:
        sample = warm_and_run(label, f"{base}/orders/{GUIDE_ORDER}")
        if number == 0:  # the stall probe once per server: it is about behaviour, not speed
            probes[label] = []
            for slow in (1, 3):
                probe = {"loadavg_before": loadavg(), **stall_probe(base, slow)}
                print(
                    f"  stall probe, {slow} slow: first ordinary request "
                    f"{probe['first_ms']:.1f} ms, max {probe['max_ms']:.1f} ms",
                    flush=True,
                )
                probes[label].append(probe)
        return sample

    starters = {
        label: partial(server, label, command, f"{base}/_mock/health", env=ENV)
        for label, command in commands(port).items()
    }
    by_label = interleaved(starters, RUNS, measure)
    results = [{**found, "stall_probes": probes[label]} for label, found in by_label.items()]
    granian = [r for r in results if r["label"].startswith("granian")]
    best = max(results, key=lambda r: r["rps"]["median"])
    data = {
        "parameters": {
            "path": f"GET /orders/{GUIDE_ORDER}",
            "wrk": "-t2 -c32 -d5s --latency",
            "runs": RUNS,
            "order": "interleaved rounds, fresh server per run",
            "app": FACTORY,
            "options": ENV["MOCKKIT_SOPOST_OPTIONS"],
            "fault": f"{FAULT_MS} ms latency on GET /orders/{SLOW_ID}",
            "probe": "20 ordinary requests, one at a time, while 1 or 3 requests sit in the fault",
        },
        "servers": results,
        "fastest_by_median_rps": best["label"],
        "granian_median_rps_by_threads": {r["label"]: r["rps"]["median"] for r in granian},
        "granian_robust_thread_counts": [
            r["label"] for r in granian if all(p["served_during_fault"] for p in r["stall_probes"])
        ],
        "rps_spread_note": "median over runs; best = max rps / min p99",
    }
    path = write_result("wsgi_servers", data)
    print(f"wrote {path}")
    return data


if __name__ == "__main__":
    main()
