"""A burst of 500 approved, consented orders made through the SoPost mock's control API: the
harness forwards exactly 500 orders to the Poplar mock, none twice."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.integration.harness.harness_mocks_rig import FILTERING, running_rig
from tests.support import wait_until

ORDERS = 500


@pytest.mark.slow
def test_500_orders_in_a_burst_reach_poplar_exactly_once(tmp_path: Path) -> None:
    with running_rig(tmp_path) as rig:
        local = threading.local()
        sessions: list[requests.Session] = []

        def create(_: int) -> str:
            if not hasattr(local, "http"):
                local.http = requests.Session()
                sessions.append(local.http)
            response = local.http.post(
                f"{rig.sopost}/_mock/orders", json={"outcome": "APPROVED"}, timeout=10
            )
            assert response.status_code == 201, response.text
            return response.json()["id"]

        with ThreadPoolExecutor(8) as pool:
            ids = set(pool.map(create, range(ORDERS)))
        for session in sessions:
            session.close()
        assert len(ids) == ORDERS
        # Every PENDING webhook skipped, then one clock step approves all 500 at once.
        wait_until(
            lambda: rig.status()["skipped_by_reason"].get("pending") == ORDERS,
            timeout=20,
            message="500 PENDING webhooks skipped",
        )
        assert rig.advance(FILTERING)["ran"] == ORDERS
        wait_until(
            lambda: rig.status()["forwarded"] == ORDERS, timeout=30, message="500 orders forwarded"
        )

        status = rig.status()
        assert status["inbox"] == {
            "received": 0,
            "processing": 0,
            "done": ORDERS,
            "skipped": ORDERS,
            "dead": 0,
        }
        assert status["skipped_by_reason"] == {"pending": ORDERS}
        assert {o["order_id"] for o in rig.poplar_orders()} == ids
        submits = rig.submits()
        created = Counter(s["body"]["order_id"] for s in submits if s["status"] == 200)
        assert set(created) == ids
        assert max(created.values()) == 1
        assert [s for s in submits if s["status"] != 200] == []  # not even a 409
