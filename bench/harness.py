"""The reference harness against the mocks: forwarding throughput, end-to-end latency, acks.

``mockkit serve --quiet --filtering-delay 0 --stage-delays 3600,3600,3600 --rate-limit
100000000/1s``: SoPost, Poplar and the harness (subscribed to the default organisation).

1. Sustained forwarding: create N orders with ``outcome: APPROVED`` (4 client threads) and
   time until the harness has forwarded all N (its ``/status``; Poplar's count checked after).
   Target >= 200 orders/s.
2. End to end, paced: orders created one every 25 ms; latency from the APPROVED event in
   SoPost's delivery log (``created_at``: the transition) to the Poplar order's ``received_at``.
   Target p50 <= 50 ms. (Also reported for the orders of step 1, i.e. under load.)
3. Webhook ack latency under load: signed OrderEvents (Standard Webhooks, the subscription's
   secret, unique event ids, an existing approved order) posted straight to the harness by wrk
   with a Lua script replaying pre-signed requests; -c8 (twice the 4 sender threads SoPost
   delivers with) and -c32. Target p99 <= 20 ms at -c8.

Writes ``bench/results/harness.json``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from standardwebhooks.webhooks import Webhook

from bench.common import (
    HOST,
    LOGS,
    SOPOST_PASSWORD,
    SOPOST_USER,
    latency_summary,
    loadavg,
    mockkit_command,
    require_wrk,
    server,
    summarise,
    write_result,
    wrk,
)
from mocks.core.server import free_port

THROUGHPUT_ORDERS = 1000
PACED_ORDERS = 200
PACE_SECONDS = 0.025
ACK_RUNS = 3
ACK_EVENTS_PER_RUN = 20_000
ACK_CONNECTIONS = (8, 32)
ADMIN_TOKEN = secrets.token_urlsafe(24)
SERVE_ENV = {"HARNESS_ADMIN_TOKEN": ADMIN_TOKEN}  # mockkit serve then uses it, not a fresh one
TARGETS = {"throughput_orders_per_s": 200, "e2e_p50_ms": 50, "ack_p99_ms": 20}


class Stack:
    def __init__(self) -> None:
        self.sopost_port, self.poplar_port, self.harness_port = (free_port() for _ in range(3))
        self.sopost = f"http://{HOST}:{self.sopost_port}"
        self.poplar = f"http://{HOST}:{self.poplar_port}"
        self.harness = f"http://{HOST}:{self.harness_port}"

    def command(self) -> list[str]:
        return mockkit_command(
            "serve",
            "--quiet",
            "--filtering-delay",
            "0",
            "--stage-delays",
            "3600,3600,3600",
            "--rate-limit",
            "100000000/1s",
            "--sopost-port",
            str(self.sopost_port),
            "--poplar-port",
            str(self.poplar_port),
            "--harness-port",
            str(self.harness_port),
        )

    def status(self) -> dict[str, Any]:
        """The harness's /status (an admin endpoint: the token is ours, via the environment)."""
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        return requests.get(f"{self.harness}/status", headers=headers, timeout=10).json()

    def forwarded(self) -> int:
        return self.status()["forwarded"]

    def wait_forwarded(self, count: int, timeout: float = 120.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.forwarded() >= count:
                return time.time()
            time.sleep(0.02)
        raise RuntimeError(f"only {self.forwarded()} of {count} forwarded in {timeout:.0f} s")

    def create_approved(self, session: requests.Session) -> str:
        response = session.post(
            f"{self.sopost}/_mock/orders", json={"outcome": "APPROVED"}, timeout=30
        )
        response.raise_for_status()
        return response.json()["id"]


def forwarding_throughput(stack: Stack) -> tuple[dict[str, Any], list[str]]:
    before = stack.forwarded()
    load = loadavg()
    sessions = [requests.Session() for _ in range(4)]
    started = time.time()
    with ThreadPoolExecutor(4) as pool:
        ids = list(
            pool.map(lambda i: stack.create_approved(sessions[i % 4]), range(THROUGHPUT_ORDERS))
        )
    created = time.time()
    done = stack.wait_forwarded(before + THROUGHPUT_ORDERS)
    rate = THROUGHPUT_ORDERS / (done - started)
    return {
        "loadavg_before": load,
        "orders": THROUGHPUT_ORDERS,
        "create_seconds": round(created - started, 3),
        "create_rate_per_s": round(THROUGHPUT_ORDERS / (created - started), 1),
        "all_forwarded_seconds": round(done - started, 3),
        "drain_after_last_create_seconds": round(done - created, 3),
        "orders_per_s": round(rate, 1),
    }, ids


def paced(stack: Stack) -> tuple[dict[str, Any], list[str]]:
    before = stack.forwarded()
    load = loadavg()
    session = requests.Session()
    ids = []
    for _ in range(PACED_ORDERS):
        tick = time.perf_counter()
        ids.append(stack.create_approved(session))
        time.sleep(max(0.0, PACE_SECONDS - (time.perf_counter() - tick)))
    stack.wait_forwarded(before + PACED_ORDERS)
    return {"loadavg_before": load, "orders": PACED_ORDERS, "pace_ms": PACE_SECONDS * 1000}, ids


def end_to_end(stack: Stack, ids: list[str]) -> dict[str, Any]:
    deliveries = requests.get(
        f"{stack.sopost}/_mock/deliveries", params={"status": "succeeded"}, timeout=60
    ).json()["deliveries"]
    approved = {
        d["payload"]["order_id"]: d["created_at"]
        for d in deliveries
        if d["event"] == "APPROVED" and d["copy_of"] is None
    }
    orders = requests.get(f"{stack.poplar}/_mock/orders", timeout=60).json()["orders"]
    received = {o["order_id"]: o["received_at"] for o in orders}
    wanted = set(ids)
    latencies = [
        (received[i] - approved[i]) * 1000 for i in wanted if i in approved and i in received
    ]
    return {
        "matched": len(latencies),
        "missing": len(wanted) - len(latencies),
        **latency_summary(latencies),
    }


def ack_script(secret: str, order_id: str, activity_id: str, count: int, name: str) -> Path:
    """Pre-signed requests (tab-separated) and a wrk script that replays them, one per call."""
    webhook = Webhook(secret)
    now = datetime.now(tz=UTC)
    data = LOGS / f"{name}.tsv"
    with open(data, "w", encoding="utf-8") as out:
        for _ in range(count):
            event_id = secrets.token_hex(20)
            body = json.dumps(
                {
                    "event_id": event_id,
                    "event": "APPROVED",
                    "order_id": order_id,
                    "activity_id": activity_id,
                },
                separators=(",", ":"),
            )
            signature = webhook.sign(event_id, now, body)
            out.write(f"{event_id}\t{int(now.timestamp())}\t{signature}\t{body}\n")
    script = LOGS / f"{name}.lua"
    script.write_text(
        f"""
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  events = {{}}
  for line in io.lines("{data}") do
    local id, ts, sig, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    events[#events + 1] = {{id, ts, sig, body}}
  end
  n = offset + 1
end

function request()
  local e = events[n]
  n = n + 2
  if n > #events then n = offset + 1 end
  return wrk.format("POST", "/webhooks/sopost", {{["Content-Type"] = "application/json",
    ["webhook-id"] = e[1], ["webhook-timestamp"] = e[2], ["webhook-signature"] = e[3]}}, e[4])
end
""",
        encoding="utf-8",
    )
    return script


def ack_latency(stack: Stack, order_id: str) -> dict[str, Any]:
    subscriptions = requests.get(
        f"{stack.sopost}/v1/webhooks", timeout=10, auth=(SOPOST_USER, SOPOST_PASSWORD)
    ).json()
    if isinstance(subscriptions, dict):
        subscriptions = next(v for v in subscriptions.values() if isinstance(v, list))
    secret = next(s["secret"] for s in subscriptions if "/webhooks/sopost" in s["url"])
    order = requests.get(f"{stack.sopost}/orders/{order_id}", timeout=10).json()
    url = f"{stack.harness}/webhooks/sopost"
    results = {}
    for connections in ACK_CONNECTIONS:
        warm = ack_script(secret, order_id, order["activity_id"], 2000, f"ack_warm_c{connections}")
        wrk(url, connections=connections, duration=1, script=warm)
        samples = []
        for number in range(ACK_RUNS):
            script = ack_script(
                secret,
                order_id,
                order["activity_id"],
                ACK_EVENTS_PER_RUN,
                f"ack_c{connections}_{number}",
            )
            sample = wrk(url, connections=connections, script=script)
            sample["events_available"] = ACK_EVENTS_PER_RUN
            print(
                f"  ack -c{connections} run {number + 1}/{ACK_RUNS}: {sample['rps']:.0f}/s, "
                f"p50 {sample.get('p50_ms')} ms, p99 {sample.get('p99_ms')} ms, non-2xx "
                f"{sample['non_2xx']}, load {sample['loadavg_before'][0]}",
                flush=True,
            )
            samples.append(sample)
        results[f"c{connections}"] = {
            "samples": samples,
            **summarise(samples, higher=("rps",), lower=("p50_ms", "p99_ms")),
        }
    results["harness_status_after"] = stack.status()
    return results


@contextmanager
def warmed_stack(name: str) -> Iterator[Stack]:
    """``mockkit serve`` with the harness, every code path and connection used once."""
    stack = Stack()
    with server(
        name,
        stack.command(),
        f"{stack.harness}/health",
        env=SERVE_ENV,
        ready=lambda r: r.status_code == 200,
        timeout=90,
    ):
        session = requests.Session()
        for _ in range(20):
            stack.create_approved(session)
        stack.wait_forwarded(20)
        yield stack


def main() -> dict[str, Any]:
    require_wrk()
    with warmed_stack("mockkit serve (harness bench)") as stack:
        throughput, loaded_ids = forwarding_throughput(stack)
        print(
            f"forwarding: {throughput['orders_per_s']} orders/s "
            f"(creating alone {throughput['create_rate_per_s']}/s)",
            flush=True,
        )
        pacing, paced_ids = paced(stack)
        e2e_paced = {**pacing, **end_to_end(stack, paced_ids)}
        e2e_loaded = end_to_end(stack, loaded_ids)
        print(
            f"end to end (paced): p50 {e2e_paced['p50_ms']} ms, p99 {e2e_paced['p99_ms']} ms;"
            f" under load p50 {e2e_loaded['p50_ms']} ms",
            flush=True,
        )
        poplar_count = sum(
            a["order_count"]
            for a in requests.get(f"{stack.poplar}/_mock/orders", timeout=60).json()["accounts"]
        )
        forwarded = stack.forwarded()
        acks = ack_latency(stack, paced_ids[0])
    ack_p99 = acks["c8"]["p99_ms"]["median"]
    data = {
        "parameters": {
            "serve": " ".join(stack.command()[3:]),
            "throughput_orders": THROUGHPUT_ORDERS,
            "paced_orders": PACED_ORDERS,
            "pace_ms": PACE_SECONDS * 1000,
            "ack": {
                "wrk": "-t2 -d5s --latency, Lua replay of pre-signed OrderEvents",
                "connections": list(ACK_CONNECTIONS),
                "runs": ACK_RUNS,
            },
        },
        "forwarding": throughput,
        "end_to_end_paced": e2e_paced,
        "end_to_end_under_load": e2e_loaded,
        "poplar_orders_vs_forwarded": {"poplar": poplar_count, "harness_forwarded": forwarded},
        "ack_latency": acks,
        "targets": {
            "forwarding_orders_per_s": f">= {TARGETS['throughput_orders_per_s']}",
            "end_to_end_p50_ms": f"<= {TARGETS['e2e_p50_ms']} (paced)",
            "ack_p99_ms": f"<= {TARGETS['ack_p99_ms']} (-c8, median of runs)",
        },
        "pass": {
            "forwarding": throughput["orders_per_s"] >= TARGETS["throughput_orders_per_s"],
            "end_to_end": e2e_paced["p50_ms"] <= TARGETS["e2e_p50_ms"],
            "ack": ack_p99 <= TARGETS["ack_p99_ms"],
        },
    }
    path = write_result("harness", data)
    print(f"ack p99 (-c8, median) {ack_p99} ms; wrote {path}")
    return data


if __name__ == "__main__":
    main()
