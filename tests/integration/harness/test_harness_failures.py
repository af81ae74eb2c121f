"""Transient vendor failures, injected through the mocks' ``/_mock/faults`` or the Poplar
mock's own rate limiter: the harness retries (or waits out a rate limit) and the order lands
exactly once.

Each test checks the outcome on Poplar's own store and journal, and the harness's retry
behaviour on the vendors' journals.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from mocks.poplar.app import PoplarConfig
from tests.integration.harness.rig import FILTERING, Rig, assert_forwarded_once
from tests.support import wait_until


def test_poplar_429_is_retried_not_before_the_reset_time(rig: Rig) -> None:
    order = rig.pending_order()
    reset = rig.limit_poplar(times=2)
    row = rig.approve(order, timeout=15)

    submits = rig.submits(order["id"])
    assert [s["status"] for s in submits] == [429, 429, 200]
    assert submits[0]["time"] < reset <= submits[1]["time"]
    assert row["state"] == "done"
    assert row["reason"] == "forwarded:created"
    assert row["attempts"] == 1  # waiting for a rate limit spends no attempt
    assert_forwarded_once(rig, order["id"])


def test_poplar_500s_are_retried_until_the_order_lands_once(rig: Rig) -> None:
    order = rig.pending_order()
    rig.poplar.add_fault(method="POST", path="/v1/order", status=500, times=3)
    row = rig.approve(order)

    assert [s["status"] for s in rig.submits(order["id"])] == [500, 500, 500, 200]
    assert (row["state"], row["reason"], row["attempts"]) == ("done", "forwarded:created", 4)
    assert_forwarded_once(rig, order["id"])


def test_sopost_5xx_and_429_on_the_order_read_are_retried(rig: Rig) -> None:
    order = rig.pending_order()
    for status in (503, 500, 429, 503):  # rules fire in the order they were added
        rig.sopost.add_fault(method="GET", path="/v1/orders/*", status=status, times=1)
    row = rig.approve(order)

    reads = rig.reads(order["id"])
    # The PENDING event's read, then the APPROVED event's four failures and its success; the
    # 429 (no reset given: plain backoff) spends no attempt.
    assert [r["status"] for r in reads] == [200, 503, 500, 429, 503, 200]
    assert (row["state"], row["reason"], row["attempts"]) == ("done", "forwarded:created", 4)
    assert [s["status"] for s in rig.submits(order["id"])] == [200]
    assert_forwarded_once(rig, order["id"])


@pytest.mark.parametrize(
    ("vendor", "method", "path"),
    [("poplar", "POST", "/v1/order"), ("sopost", "GET", "/v1/orders/*")],
    ids=["poplar-submit", "sopost-read"],
)
def test_dropped_connection_is_retried(rig: Rig, vendor: str, method: str, path: str) -> None:
    order = rig.pending_order()
    getattr(rig, vendor).add_fault(method=method, path=path, drop=True, times=1)
    row = rig.approve(order)

    journal = rig.submits(order["id"]) if vendor == "poplar" else rig.reads(order["id"])[1:]
    assert [(r["verdict"], r["status"]) for r in journal] == [("fault", 0), ("valid", 200)]
    assert (row["state"], row["reason"], row["attempts"]) == ("done", "forwarded:created", 2)
    assert_forwarded_once(rig, order["id"])


def test_poplar_real_rate_limit_is_waited_out_without_spending_attempts(start_rig) -> None:
    """Not a fault: the Poplar mock's own limiter (5 requests per 1 s window, reset in epoch
    seconds) against 15 orders approved at once by 4 workers."""
    rig = start_rig(poplar_config=PoplarConfig(rate_limit="5/1s"))
    orders = [rig.sopost.create_order(outcome="APPROVED")["id"] for _ in range(15)]
    wait_until(
        lambda: rig.status()["skipped_by_reason"].get("pending") == 15,
        message="15 PENDING webhooks skipped",
    )
    rig.advance(FILTERING)
    wait_until(lambda: rig.status()["forwarded"] == 15, timeout=20, message="15 orders forwarded")

    rows = [
        row for order_id in orders for row in rig.events(order_id) if row["event"] == "APPROVED"
    ]
    assert [(r["state"], r["attempts"]) for r in rows] == [("done", 1)] * 15
    submits = rig.submits()
    stored = Counter(s["body"]["order_id"] for s in submits if s["status"] == 200)
    assert stored == Counter(orders)
    limited = [s for s in submits if s["status"] == 429]
    assert {s["status"] for s in submits} <= {200, 429}
    # Once a 429 is back, the shared gate holds every worker until the reset: at most
    # one 429 per worker per window, where a harness ignoring the reset would hammer.
    windows = math.floor(submits[-1]["time"]) - math.floor(submits[0]["time"]) + 1
    assert len(limited) <= 4 * windows
    assert rig.status()["dead_letters"] == 0


def test_lost_poplar_response_is_recognised_by_the_409_on_retry(start_rig) -> None:
    """Poplar stores the order but answers after the harness gave up waiting (0.4 s latency,
    0.3 s timeout); the retry (>= 0.5 s later) gets Poplar's 409: forwarded, not duplicated."""
    rig = start_rig(http_timeout=0.3, backoff_base=1.0)
    order = rig.pending_order()
    rig.poplar.add_fault(method="POST", path="/v1/order", latency_ms=400, times=1)
    row = rig.approve(order)

    assert [s["status"] for s in rig.submits(order["id"])] == [200, 409]
    assert (row["state"], row["reason"], row["attempts"]) == ("done", "forwarded:conflict", 2)
    assert_forwarded_once(rig, order["id"])
