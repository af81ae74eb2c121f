"""A burst of 500 approved, consented orders made through the SoPost mock's control API, with
duplicated webhooks and Poplar hiccups on the way: the harness forwards exactly 500 orders to
the Poplar mock, none twice."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from contracts.client import SoPostControl
from tests.integration.harness.rig import FILTERING, Rig
from tests.support import wait_until

ORDERS = 500


def create_orders(rig: Rig, count: int) -> set[str]:
    """``count`` orders from 8 threads at once, each with its own control client."""
    local = threading.local()
    clients: list[SoPostControl] = []

    def create(_: int) -> str:
        if not hasattr(local, "sopost"):
            local.sopost = SoPostControl(rig.sopost.url)
            clients.append(local.sopost)
        return local.sopost.create_order(outcome="APPROVED")["id"]

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(create, range(count)))
    for client in clients:
        client.close()
    return ids


@pytest.mark.slow
def test_500_orders_in_a_burst_reach_poplar_exactly_once(rig: Rig) -> None:
    ids = create_orders(rig, ORDERS)
    assert len(ids) == ORDERS
    # Every PENDING webhook skipped, then one clock step approves all 500 at once.
    wait_until(
        lambda: rig.status()["skipped_by_reason"].get("pending") == ORDERS,
        timeout=20,
        message="500 PENDING webhooks skipped",
    )
    # A few APPROVED webhooks twice, and a 429 and a 500 from Poplar along the way.
    rig.sopost.add_fault(scope="delivery", event="APPROVED", duplicate=1, probability=0.05)
    rig.limit_poplar(times=1)
    rig.poplar.add_fault(method="POST", path="/v1/order", status=500, times=1)
    assert rig.advance(FILTERING)["ran"] == ORDERS
    wait_until(
        lambda: rig.status()["forwarded"] == ORDERS, timeout=30, message="500 orders forwarded"
    )

    deliveries = wait_until(
        lambda: (
            (found := rig.sopost.deliveries())
            and all(d["status"] == "succeeded" for d in found)
            and found
        ),
        message="every webhook delivered",
    )
    approved = [d for d in deliveries if d["event"] == "APPROVED"]
    assert len(approved) > ORDERS  # some were duplicated
    status = rig.status()
    assert status["inbox"] == {
        "received": 0,
        "processing": 0,
        "done": ORDERS,
        "skipped": ORDERS,
        "dead": 0,
    }
    assert status["skipped_by_reason"] == {"pending": ORDERS}
    assert set(rig.stored()) == ids
    submits = rig.submits()
    created = Counter(s["body"]["order_id"] for s in submits if s["status"] == 200)
    assert set(created) == ids
    assert max(created.values()) == 1
    assert Counter(s["status"] for s in submits if s["status"] != 200) == {429: 1, 500: 1}
