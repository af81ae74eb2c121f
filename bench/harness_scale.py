"""Harness scale-out: forwarding throughput and webhook ack latency, 1-3 processes, PG vs SQLite.

``mockkit serve --no-harness`` runs the mocks (SoPost deciding at once, Poplar's rate limit out
of the way); N ``python -m harness`` processes share one inbox: a fresh PostgreSQL database on
a throwaway server (tests/pg_cluster.py), or one SQLite file. SQLite with more than one
process is measured for comparison only: it is not a supported deployment (its start-up
recovery assumes the file has one owner).

Per run: ORDERS approved orders are created in SoPost, then their OrderEvents are posted by
SENDERS threads, round-robin over the processes (a load balancer), unsigned (no
``SOPOST_WEBHOOK_SECRET``: the same per-request cost for every store). Throughput is orders
over the time from the first post until the shared inbox has forwarded all of them; ack
latency is each post's round trip, measured under that same load.

Writes ``bench/results/harness_scale.json``.
"""

from __future__ import annotations

import itertools
import json
import secrets
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import requests

from bench.common import (
    HOST,
    PYTHON,
    Skip,
    latency_summary,
    loadavg,
    mockkit_command,
    server,
    summarise,
    write_result,
)
from contracts.client import SoPostControl
from contracts.servers import integration_env
from mocks.core.server import free_port
from tests.pg_cluster import PgCluster, find_bindir

ORDERS = 1000
SENDERS = 8
PROCESSES = (1, 2, 3)
STORES = ("sqlite", "postgresql")
WORKERS = 4
ROUNDS = 3  # every configuration once per round, interleaved, so load drift hits all alike


def create_orders(sopost: SoPostControl, count: int) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: sopost.create_order(outcome="APPROVED"), range(count)))


def forwarded(url: str) -> int:
    return requests.get(f"{url}/status", timeout=10).json()["forwarded"]


def one_run(
    env: dict[str, str], db: str, processes: int, orders: list[dict[str, Any]], label: str
) -> dict[str, Any]:
    urls = []
    with ExitStack() as stack:
        for n in range(processes):
            port = free_port()
            urls.append(f"http://{HOST}:{port}")
            stack.enter_context(
                server(
                    f"harness_scale {label} p{n}",
                    [PYTHON, "-m", "harness"],
                    f"{urls[-1]}/health",
                    env={**env, "PORT": str(port), "HARNESS_DB": db},
                    ready=lambda r: r.status_code == 200,
                )
            )
        bodies = [
            json.dumps(
                {
                    "event_id": secrets.token_hex(20),
                    "event": "APPROVED",
                    "order_id": order["id"],
                    "activity_id": order["activity_id"],
                }
            ).encode()
            for order in orders
        ]
        sessions = [requests.Session() for _ in range(SENDERS)]
        load = loadavg()

        def post(index: int) -> float:
            started = time.perf_counter()
            response = sessions[index % SENDERS].post(
                f"{urls[index % processes]}/webhooks/sopost",
                data=bodies[index],
                headers={"content-type": "application/json"},
                timeout=30,
            )
            response.raise_for_status()
            return (time.perf_counter() - started) * 1000

        started = time.time()
        with ThreadPoolExecutor(SENDERS) as pool:
            acks = list(pool.map(post, range(len(bodies))))
        posted = time.time()
        deadline = time.monotonic() + 300
        while forwarded(urls[0]) < len(orders):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{label}: only {forwarded(urls[0])} of {len(orders)} forwarded")
            time.sleep(0.02)
        done = time.time()
    return {
        "store": label.split()[0],
        "processes": processes,
        "loadavg_before": load,
        "orders": len(orders),
        "post_seconds": round(posted - started, 3),
        "all_forwarded_seconds": round(done - started, 3),
        "orders_per_s": round(len(orders) / (done - started), 1),
        "ack_ms": latency_summary(acks),
    }


def main() -> dict[str, Any]:
    bindir = find_bindir()
    if bindir is None:
        raise Skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    cluster = PgCluster(bindir).start()
    sopost_port, poplar_port = free_port(), free_port()
    sopost_url, poplar_url = f"http://{HOST}:{sopost_port}", f"http://{HOST}:{poplar_port}"
    mocks = mockkit_command(
        "serve", "--quiet", "--no-harness", "--filtering-delay", "0",
        "--stage-delays", "3600,3600,3600", "--rate-limit", "100000000/1s",
        "--sopost-port", str(sopost_port), "--poplar-port", str(poplar_port),
    )  # fmt: skip
    runs = []
    try:
        with (
            server("mocks (harness scale bench)", mocks, f"{sopost_url}/_mock/health"),
            tempfile.TemporaryDirectory() as scratch,
        ):
            sopost = SoPostControl(sopost_url, timeout=30)
            default = sopost.default_organisation()
            env = integration_env(
                sopost_url, poplar_url, 0, default["api_user"], default["api_password"], None
            )
            env.update(HARNESS_WORKERS=str(WORKERS), HARNESS_POLL_INTERVAL="0.05")
            env.pop("SOPOST_WEBHOOK_SECRET", None)
            for round_ in range(ROUNDS):
                for processes, store in itertools.product(PROCESSES, STORES):
                    db = (
                        cluster.create_database()
                        if store == "postgresql"
                        else str(Path(scratch) / f"inbox-{round_}-{processes}.db")
                    )
                    orders = create_orders(sopost, ORDERS)
                    run = one_run(env, db, processes, orders, f"{store} x{processes}")
                    run["ack_p99_ms"] = run["ack_ms"]["p99_ms"]
                    print(
                        f"{round_ + 1}/{ROUNDS} {store:10} x{processes}: {run['orders_per_s']}"
                        f" orders/s, ack p50 "
                        f"{run['ack_ms']['p50_ms']} ms p99 {run['ack_ms']['p99_ms']} ms "
                        f"(load {run['loadavg_before'][0]})",
                        flush=True,
                    )
                    runs.append(run)
    finally:
        cluster.destroy()
    data = {
        "parameters": {
            "orders_per_run": ORDERS,
            "sender_threads": SENDERS,
            "harness_workers_per_process": WORKERS,
            "mocks": " ".join(mocks[3:]),
            "postgresql": str(bindir),
            "rounds": ROUNDS,
        },
        "summary": {
            f"{store} x{processes}": summarise(
                [r for r in runs if (r["store"], r["processes"]) == (store, processes)],
                higher=("orders_per_s",),
                lower=("ack_p99_ms",),
            )
            for processes, store in itertools.product(PROCESSES, STORES)
        },
        "runs": runs,
    }
    path = write_result("harness_scale", data)
    print(f"wrote {path}")
    return data


if __name__ == "__main__":
    main()
