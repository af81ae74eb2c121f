"""A burst of 500 eligible orders: 500 Poplar orders, none twice."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.integration.harness.harness_testkit import (
    Failure,
    make_event,
    make_order,
    rate_limited,
    signed_headers,
)
from tests.support import wait_until


@pytest.mark.slow
def test_500_orders_in_a_burst_are_forwarded_exactly_once(start_harness, sopost_fake, poplar_fake):
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness(workers=4)
    orders = [fake_sopost.add(make_order()) for _ in range(500)]
    events = [make_event(order) for order in orders]
    # A few duplicates and a couple of vendor hiccups along the way.
    events += random.Random(1).sample(events, 25)
    fake_poplar.failures.extend([rate_limited(0.3), Failure(500)])

    def deliver(event):
        body = json.dumps(event).encode()
        with requests.post(
            f"{harness.url}/webhooks/sopost", data=body, headers=signed_headers(body)
        ) as response:
            return response.status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliver, events))
    assert statuses == [202] * len(events)

    wait_until(lambda: harness.status()["forwarded"] == 500, timeout=60, message="500 forwarded")
    wait_until(lambda: harness.status()["inbox"]["received"] == 0, timeout=10)
    assert len(fake_poplar.orders) == 500
    assert max(fake_poplar.created.values()) == 1
    conflicts = [r for r in fake_poplar.requests if r[1] == 409]
    assert conflicts == []
    assert harness.status()["dead_letters"] == 0
