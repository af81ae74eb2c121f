"""SoPost webhook dispatch latency: status transition -> the receiver has the webhook.

``mockkit serve --only sopost --quiet`` with a subscription to a receiver in this process
(a threaded HTTP/1.1 server on loopback that timestamps each arrival). Orders are created held
at PENDING (``outcome: PENDING``, no distribution), then each is moved to APPROVED with
``POST /_mock/orders/{id}/transition``:

* sequential: one transition at a time, waiting for its webhook (the latency of an idle mock);
* burst: the same from 4 client threads at once (deliveries queue behind each other).

Latency = arrival time - the moment the client sent the transition (so it includes that HTTP
round trip). The delivery log's ``created_at`` (event enqueued) and first attempt ``time``
split it into queueing and sending. Target: p50 <= 5 ms (sequential).
Writes ``bench/results/webhook_dispatch.json``.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from bench.common import (
    HOST,
    SOPOST_PASSWORD,
    SOPOST_USER,
    latency_summary,
    loadavg,
    mockkit_command,
    server,
    write_result,
)
from mocks.core.server import free_port

EVENTS = 300
TARGET_P50_MS = 5.0


class Receiver:
    """Records (order_id, event) -> arrival time; wakes whoever waits for one."""

    def __init__(self) -> None:
        self.arrivals: dict[tuple[str, str], float] = {}
        self.condition = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the mock's sender expects

            def do_POST(self) -> None:
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                payload = json.loads(body)
                with receiver.condition:
                    receiver.arrivals.setdefault((payload["order_id"], payload["event"]), arrived)
                    receiver.condition.notify_all()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, key: tuple[str, str], timeout: float = 5.0) -> float | None:
        with self.condition:
            self.condition.wait_for(lambda: key in self.arrivals, timeout=timeout)
            return self.arrivals.get(key)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def held_orders(session: requests.Session, base: str, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        response = session.post(
            f"{base}/_mock/orders", timeout=10, json={"outcome": "PENDING", "distribute": False}
        )
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


def transition(session: requests.Session, base: str, order_id: str) -> float:
    sent = time.time()
    session.post(
        f"{base}/_mock/orders/{order_id}/transition", timeout=10, json={"status": "APPROVED"}
    ).raise_for_status()
    return sent


def split(base: str, sent: dict[str, float], arrived: dict[str, float]) -> dict[str, Any]:
    """Queueing (enqueued -> first attempt) and sending (attempt -> arrival) from the log."""
    deliveries = requests.get(f"{base}/_mock/deliveries", timeout=30).json()["deliveries"]
    queued, sending, enqueue = [], [], []
    for delivery in deliveries:
        order_id = delivery["payload"]["order_id"]
        if delivery["event"] != "APPROVED" or order_id not in arrived or not delivery["attempts"]:
            continue
        attempt = delivery["attempts"][0]["time"]
        enqueue.append((delivery["created_at"] - sent[order_id]) * 1000)
        queued.append((attempt - delivery["created_at"]) * 1000)
        sending.append((arrived[order_id] - attempt) * 1000)
    return {
        "transition_to_enqueue": latency_summary(enqueue),
        "enqueue_to_first_attempt": latency_summary(queued),
        "attempt_to_arrival": latency_summary(sending),
    }


def main() -> dict[str, Any]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    receiver = Receiver()
    command = mockkit_command("serve", "--only", "sopost", "--quiet", "--sopost-port", str(port))
    try:
        with server("sopost webhook_dispatch", command, f"{base}/_mock/health"):
            session = requests.Session()
            session.post(
                f"{base}/v1/webhooks",
                auth=(SOPOST_USER, SOPOST_PASSWORD),
                timeout=10,
                json={
                    "url": receiver.url,
                    "events": ["OrderEvent"],
                    "entity_type": "Organisation",
                    "entity_id": "f3a10b3a-a02f-4568-b1ca-ea6571620f91",
                },
            ).raise_for_status()
            # Warm-up: connections and code paths on both sides.
            for order_id in held_orders(session, base, 20):
                transition(session, base, order_id)
                receiver.wait((order_id, "APPROVED"))

            phases = {}
            orders = held_orders(session, base, EVENTS)
            load = loadavg()
            sent: dict[str, float] = {}
            for order_id in orders:
                sent[order_id] = transition(session, base, order_id)
                receiver.wait((order_id, "APPROVED"))
            phases["sequential"] = {
                "loadavg_before": load,
                **_measure(base, receiver, orders, sent),
            }

            orders = held_orders(session, base, EVENTS)
            load = loadavg()
            local = threading.local()

            def fire(order_id: str) -> tuple[str, float]:
                if not hasattr(local, "session"):
                    local.session = requests.Session()
                return order_id, transition(local.session, base, order_id)

            with ThreadPoolExecutor(4) as pool:
                sent = dict(pool.map(fire, orders))
            for order_id in orders:
                receiver.wait((order_id, "APPROVED"))
            phases["burst (4 client threads)"] = {
                "loadavg_before": load,
                **_measure(base, receiver, orders, sent),
            }
    finally:
        receiver.close()
    p50 = phases["sequential"]["transition_to_arrival"]["p50_ms"]
    data = {
        "parameters": {
            "events_per_phase": EVENTS,
            "event": "PENDING -> APPROVED via POST /_mock/orders/{id}/transition",
            "receiver": "in-process ThreadingHTTPServer (HTTP/1.1, 204)",
            "mock": "mockkit serve --only sopost --quiet (4 webhook sender threads)",
        },
        "phases": phases,
        "target": f"p50 <= {TARGET_P50_MS} ms (sequential)",
        "pass": p50 <= TARGET_P50_MS,
    }
    path = write_result("webhook_dispatch", data)
    print(
        f"sequential p50 {p50} ms, p99 "
        f"{phases['sequential']['transition_to_arrival']['p99_ms']} ms; burst p50 "
        f"{phases['burst (4 client threads)']['transition_to_arrival']['p50_ms']} ms; "
        f"wrote {path}"
    )
    return data


def _measure(
    base: str, receiver: Receiver, orders: list[str], sent: dict[str, float]
) -> dict[str, Any]:
    arrived = {
        o: receiver.arrivals[(o, "APPROVED")]
        for o in orders
        if (o, "APPROVED") in receiver.arrivals
    }
    latencies = [(arrived[o] - sent[o]) * 1000 for o in orders if o in arrived]
    return {
        "missing": len(orders) - len(arrived),
        "transition_to_arrival": latency_summary(latencies),
        **split(base, sent, arrived),
    }


if __name__ == "__main__":
    main()
