"""Chaos: orders flow while ``python -m harness`` is SIGKILLed at random and restarted, with
and without Poplar faults (20 % 429, 20 % 500): every eligible order lands in Poplar exactly
once, and nothing else does (issue 12). Full size: 1,000 orders and 10 kills per run.

The mocks run in-process with fast schedules (``MockPair``): SoPost retries a webhook the
harness missed while it was down within seconds, so a kill costs a restart, not minutes.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

import pytest

from contracts.servers import MockPair
from harness.policy import ConsentPolicy, decide
from mocks.core.server import free_port
from tests.integration.harness.test_harness_crash import HarnessProcess
from tests.reliability.sizes import SIZES
from tests.support import wait_until

# One rule fires per request, first match first: 20 % 429, then 25 % of the rest (20 % of
# all) 500.
POPLAR_FAULTS = ({"status": 429, "probability": 0.2}, {"status": 500, "probability": 0.25})
REJECTED_SHARE = 0.2


def _create_orders(pair: MockPair, count: int, rng: random.Random, created: list[str]) -> None:
    for _ in range(count):
        outcome = "REJECTED" if rng.random() < REJECTED_SHARE else "APPROVED"
        created.append(pair.sopost.create_order(outcome=outcome)["id"])


def _stored_submits(pair: MockPair) -> Counter[str]:
    """How many submits of each order Poplar accepted (200), from its journal."""
    submits = pair.poplar.requests(method="POST", path="/v1/order", limit=100_000)
    return Counter(s["body"]["order_id"] for s in submits if s["status"] == 200)


def _eligible(pair: MockPair, created: list[str]) -> set[str]:
    """The harness's own rule, applied to each order as SoPost has it now."""
    policy = ConsentPolicy.of()
    orders = {order["id"]: order for order in pair.sopost.orders()}
    return {order_id for order_id in created if decide(orders[order_id], policy).forward}


@pytest.mark.parametrize("faults", [False, True], ids=["no_faults", "poplar_faults"])
def test_random_sigkills_lose_and_duplicate_nothing(tmp_path: Path, faults: bool) -> None:
    rng = random.Random(12)
    with MockPair() as pair:
        port = free_port()
        subscription = pair.subscribe(f"http://127.0.0.1:{port}/webhooks/sopost")
        env = {
            **pair.env(port, subscription.secret),
            "HARNESS_DB": str(tmp_path / "inbox.db"),
            # Faster retries than production's 1 s base, so the tail of a run under 20 % 500s
            # is seconds long; the retry rules themselves are unchanged.
            "HARNESS_BACKOFF_BASE": "0.2",
            "HARNESS_BACKOFF_CAP": "2",
            "HARNESS_POLL_INTERVAL": "0.1",
        }
        harness = HarnessProcess(env, tmp_path / "harness.log")
        harness.start()
        if faults:
            for rule in POPLAR_FAULTS:
                pair.poplar.add_fault(method="POST", path="/v1/order", **rule)
        created: list[str] = []
        producer = threading.Thread(
            target=_create_orders, args=(pair, SIZES.chaos_orders, rng, created), daemon=True
        )
        producer.start()
        try:
            for _ in range(SIZES.chaos_kills):
                # Kill once Poplar has seen some new work, at a random point of it.
                seen = sum(_stored_submits(pair).values())
                wait_until(
                    lambda seen=seen: (
                        sum(_stored_submits(pair).values()) > seen or not producer.is_alive()
                    ),
                    timeout=60,
                    interval=rng.uniform(0.05, 0.5),
                    message="progress before the next kill",
                )
                harness.kill()
                harness.start()
            producer.join(timeout=300)
            assert not producer.is_alive()
            wait_until(
                lambda: not set(created) & {o["id"] for o in pair.sopost.orders("PENDING")},
                timeout=30,
                message="every order decided",
            )
            eligible = _eligible(pair, created)
            wait_until(
                lambda: set(_stored_submits(pair)) >= eligible,
                timeout=180,
                interval=0.2,
                message="every eligible order in Poplar",
            )
            pair.poplar.clear_faults()
        finally:
            harness.kill()
        stored = _stored_submits(pair)
        print(
            f"{len(created)} orders, {len(eligible)} eligible, {SIZES.chaos_kills} kills,"
            f" faults={faults}: {sum(stored.values())} stored submits"
        )
        assert set(stored) == eligible
        assert set(stored.values()) == {1}
