"""A burst of SoPost orders through several ``python -m harness`` processes on one PostgreSQL inbox.

The project's real mocks run in-process (``MockPair``: SoPost with its fast lifecycle); the
harness processes are real processes (``HarnessProcess``) sharing
one database. ``Sender`` plays SoPost behind a load balancer: each event goes to the next
process in turn, and an event that was not answered 202 is resent to the next one until it is.
Exactly-once is judged by what Poplar stored and what its journal saw.
"""

from __future__ import annotations

import json
import secrets
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from contracts.servers import MockPair
from mocks.core.server import free_port
from tests.integration.harness.test_harness_crash import HarnessProcess
from tests.support import wait_until


@dataclass
class Burst:
    mocks: MockPair
    events: list[dict[str, str]]  # with SoPost's duplicates
    eligible: set[str]  # order ids that must reach Poplar, once each
    skipped: int  # orders without a consent


def make_burst(pair: MockPair, orders: int, duplicates: int) -> Burst:
    """``orders`` decided orders in SoPost (every fourth without a consent: skipped)."""
    with ThreadPoolExecutor(4) as pool:
        created = list(
            pool.map(
                lambda n: pair.sopost.create_order(
                    outcome="APPROVED", **({"consents": []} if n % 4 == 0 else {})
                ),
                range(orders),
            )
        )
    ids = {order["id"] for order in created}
    wait_until(
        lambda: not ids & {o["id"] for o in pair.sopost.orders(status="PENDING")},
        timeout=30,
        message="orders decided",
    )
    events = [
        {
            "event_id": secrets.token_hex(20),
            "event": "APPROVED",
            "order_id": order["id"],
            "activity_id": order["activity_id"],
        }
        for order in created
    ]
    events += events[:: max(1, len(events) // duplicates)][:duplicates]
    eligible = {order["id"] for n, order in enumerate(created) if n % 4}
    return Burst(pair, events, eligible, orders - len(eligible))


def harness_processes(pair: MockPair, db_url: str, tmp: Path, count: int) -> list[HarnessProcess]:
    base = {k: v for k, v in pair.env(0).items() if not k.startswith("HARNESS_")}
    processes = []
    for n in range(count):
        env = {
            **base,
            "PORT": str(free_port()),
            "HARNESS_DB": db_url,
            "HARNESS_WORKERS": "4",
            # A SIGKILLed process's claims come back after this; real deployments keep 120 s.
            "HARNESS_LEASE_SECONDS": "3",
            "HARNESS_BACKOFF_BASE": "0.05",
            "HARNESS_BACKOFF_CAP": "0.5",
            "HARNESS_POLL_INTERVAL": "0.05",
        }
        processes.append(HarnessProcess(env, tmp / f"harness-{n}.log"))
    return processes


class Sender(threading.Thread):
    """Round-robin delivery with resend-until-202, like SoPost through a load balancer."""

    def __init__(self, events: list[dict[str, str]], processes: list[HarnessProcess]) -> None:
        super().__init__(daemon=True)
        self.events = events
        self.processes = processes
        self.acked: Counter[str] = Counter()
        self.refused = 0  # answers that were not 202, and connections that failed
        self._halt = threading.Event()

    def run(self) -> None:
        sessions = [requests.Session() for _ in self.processes]
        turn = 0
        for event in self.events:
            body = json.dumps(event).encode()
            while not self._halt.is_set():
                target = turn % len(self.processes)
                turn += 1
                try:
                    response = sessions[target].post(
                        f"{self.processes[target].url}/webhooks/sopost",
                        data=body,
                        headers={"content-type": "application/json"},
                        timeout=15,
                    )
                    if response.status_code == 202:
                        self.acked[event["event_id"]] += 1
                        break
                except requests.RequestException:
                    pass
                self.refused += 1
                self._halt.wait(0.02)
        for session in sessions:
            session.close()

    def stop(self) -> None:
        self._halt.set()


@contextmanager
def delivering(burst: Burst, processes: list[HarnessProcess]) -> Iterator[Sender]:
    """Start the processes and the sender; on failure print their logs; stop everything."""
    for process in processes:
        process.start()
    sender = Sender(burst.events, processes)
    sender.start()
    try:
        yield sender
    except BaseException:
        for process in processes:
            print(process.log.read_text()[-3000:])
        raise
    finally:
        sender.stop()
        for process in processes:
            process.kill(signal.SIGTERM)


def status(process: HarnessProcess) -> dict:
    return requests.get(f"{process.url}/status", timeout=5).json()


def assert_exactly_once(burst: Burst, sender: Sender, survivor: HarnessProcess) -> dict:
    """Every event acked, every eligible order in Poplar once, the shared inbox drained."""
    assert set(sender.acked) == {event["event_id"] for event in burst.events}
    wait_until(
        lambda: {o["order_id"] for o in burst.mocks.poplar.orders()} >= burst.eligible,
        timeout=60,
        message="every eligible order in Poplar",
    )
    final = wait_until(
        lambda: (s := status(survivor))["inbox"]["received"] + s["inbox"]["processing"] == 0 and s,
        timeout=30,
        message="shared inbox drained",
    )
    stored = Counter(o["order_id"] for o in burst.mocks.poplar.orders())
    assert set(stored) == burst.eligible  # 0 lost, nothing forwarded that must not be
    assert max(stored.values()) == 1  # 0 duplicated
    created = Counter(
        (entry["body"] or {}).get("order_id")
        for entry in burst.mocks.poplar.requests(method="POST", path="/v1/order", limit=10_000)
        if entry["status"] == 200  # Poplar answers a stored order with 200
    )
    assert set(created) == burst.eligible, created.most_common(3)
    assert max(created.values()) == 1, created.most_common(3)
    assert final["forwarded"] == len(burst.eligible)
    assert final["dead_letters"] == 0
    assert final["skipped_by_reason"] == {"no_consent": burst.skipped}
    distinct = len({event["event_id"] for event in burst.events})
    assert final["inbox"]["done"] + final["inbox"]["skipped"] == distinct
    return final
