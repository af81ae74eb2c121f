"""The harness against the real mocks when things go wrong: vendor faults injected through the
mocks' ``/_mock/faults``, forged webhooks, and a Poplar 400 fixed by an operator's retry.

Each test checks the outcome the issue asks for (one Poplar order, or none) on Poplar's own
store and journal, and the harness's retry behaviour on the vendors' journals.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mocks.poplar.app import PoplarConfig
from tests.integration.harness.harness_mocks_rig import FILTERING, Rig, running_rig
from tests.integration.harness.harness_testkit import WEBHOOK_SECRET, signed_headers
from tests.support import wait_until


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with running_rig(tmp_path) as running:
        yield running


def pending_order(rig: Rig) -> dict[str, Any]:
    """An approved-to-be, consented order whose PENDING webhook the harness has skipped."""
    order = rig.create_order(outcome="APPROVED")
    rig.wait_settled(order["id"], 1)
    return order


def approve(rig: Rig, order: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
    """Let SoPost approve the order; return the harness's row for the APPROVED event."""
    rig.advance(FILTERING)
    rows = rig.wait_settled(order["id"], 2, timeout=timeout)
    assert rows[1]["event"] == "APPROVED"
    return rows[1]


def assert_forwarded_once(rig: Rig, order: dict[str, Any]) -> None:
    assert [o["order_id"] for o in rig.poplar_orders()] == [order["id"]]
    # A dropped request is journaled as 200 with verdict "fault": count stored submits only.
    stored = [s for s in rig.submits(order["id"]) if (s["verdict"], s["status"]) == ("valid", 200)]
    assert len(stored) == 1
    status = rig.status()
    assert status["forwarded"] == 1
    assert status["dead_letters"] == 0


def test_poplar_429_is_retried_not_before_the_reset_time(rig: Rig) -> None:
    order = pending_order(rig)
    reset = math.ceil(time.time()) + 1  # whole epoch seconds, 1-2 s ahead
    rig.fault(
        "poplar",
        method="POST",
        path="/v1/order",
        status=429,
        times=2,
        headers={"x-rate-limit-reset": str(reset)},
    )
    row = approve(rig, order, timeout=15)

    submits = rig.submits(order["id"])
    assert [s["status"] for s in submits] == [429, 429, 200]
    assert submits[0]["time"] < reset <= submits[1]["time"]
    assert row["state"] == "done"
    assert row["reason"] == "forwarded:created"
    assert row["attempts"] == 1  # waiting for a rate limit spends no attempt
    assert_forwarded_once(rig, order)


def test_poplar_500s_are_retried_until_the_order_lands_once(rig: Rig) -> None:
    order = pending_order(rig)
    rig.fault("poplar", method="POST", path="/v1/order", status=500, times=3)
    row = approve(rig, order)

    assert [s["status"] for s in rig.submits(order["id"])] == [500, 500, 500, 200]
    assert (row["state"], row["reason"], row["attempts"]) == ("done", "forwarded:created", 4)
    assert_forwarded_once(rig, order)


def test_sopost_503s_on_the_order_read_are_retried(rig: Rig) -> None:
    order = pending_order(rig)
    rig.fault("sopost", method="GET", path="/v1/orders/*", status=503, times=3)
    row = approve(rig, order)

    reads = rig.sopost_requests("GET", f"/v1/orders/{order['id']}")
    # The PENDING event's read, then the APPROVED event's three failures and its success.
    assert [r["status"] for r in reads] == [200, 503, 503, 503, 200]
    assert (row["state"], row["reason"], row["attempts"]) == ("done", "forwarded:created", 4)
    assert [s["status"] for s in rig.submits(order["id"])] == [200]
    assert_forwarded_once(rig, order)


@pytest.mark.parametrize(
    ("vendor", "method", "path"),
    [("poplar", "POST", "/v1/order"), ("sopost", "GET", "/v1/orders/*")],
    ids=["poplar-submit", "sopost-read"],
)
def test_dropped_connection_is_retried(rig: Rig, vendor: str, method: str, path: str) -> None:
    order = pending_order(rig)
    rig.fault(vendor, method=method, path=path, drop=True, times=1)
    row = approve(rig, order)

    if vendor == "poplar":
        journal = rig.submits(order["id"])
    else:
        journal = rig.sopost_requests("GET", f"/v1/orders/{order['id']}")[1:]
    assert [(r["verdict"], r["status"]) for r in journal] == [("fault", 0), ("valid", 200)]
    assert (row["state"], row["reason"], row["attempts"]) == ("done", "forwarded:created", 2)
    assert_forwarded_once(rig, order)


@pytest.mark.parametrize("forgery", ["wrong-secret", "tampered-body", "unsigned"])
def test_forged_webhook_is_rejected_and_nothing_is_stored(rig: Rig, forgery: str) -> None:
    order = pending_order(rig)
    before = rig.status()
    event = {
        "event_id": secrets.token_hex(20),
        "event": "APPROVED",
        "order_id": order["id"],
        "activity_id": order["activity_id"],
    }
    body = json.dumps(event).encode()
    if forgery == "wrong-secret":
        headers = signed_headers(body, secret=WEBHOOK_SECRET)
    elif forgery == "tampered-body":
        # A genuine SoPost signature over the PENDING webhook, replayed with an edited body.
        [pending] = rig.deliveries(order["id"])
        original = json.dumps(pending["payload"], separators=(",", ":")).encode()
        headers = signed_headers(original, secret=rig.secret)
    else:
        headers = {"content-type": "application/json"}

    response = rig.http.post(
        f"{rig.harness}/webhooks/sopost", data=body, headers=headers, timeout=5
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"]["title"] == "InvalidSignature"
    assert rig.event(event["event_id"]) is None
    assert rig.status() == before
    assert rig.submits() == []

    # Control: the same body with the subscription's real secret is accepted.
    genuine = rig.http.post(
        f"{rig.harness}/webhooks/sopost",
        data=body,
        headers=signed_headers(body, secret=rig.secret),
        timeout=5,
    )
    assert genuine.status_code == 202, genuine.text
    assert rig.event(event["event_id"]) is not None


def test_poplar_400_is_dead_lettered_then_retried_by_the_operator(rig: Rig) -> None:
    message = "Invalid 'shipping_address.postal_code': 'postal_code' is a required property"
    rule = rig.fault(
        "poplar",
        method="POST",
        path="/v1/order",
        status=400,
        body={"error": {"title": "ValidationError", "message": message}},
    )
    order = pending_order(rig)
    row = approve(rig, order)

    assert (row["state"], row["attempts"]) == ("dead", 1)
    letters = rig.http.get(f"{rig.harness}/dead-letters", timeout=5).json()["dead_letters"]
    assert [(d["event_id"], d["order_id"]) for d in letters] == [(row["event_id"], order["id"])]
    assert letters[0]["reason"] == f"poplar rejected (400): ValidationError: {message}"
    assert rig.status()["dead_letters"] == 1
    assert rig.poplar_orders() == []

    rig.remove_fault("poplar", rule["id"])
    retried = rig.http.post(f"{rig.harness}/dead-letters/{row['event_id']}/retry", timeout=5)
    assert retried.status_code == 202, retried.text
    done = wait_until(
        lambda: (r := rig.event(row["event_id"]))["state"] == "done" and r,
        message="retried dead letter forwarded",
    )

    assert done["reason"] == "forwarded:created"
    assert [s["status"] for s in rig.submits(order["id"])] == [400, 200]
    assert rig.http.get(f"{rig.harness}/dead-letters", timeout=5).json()["dead_letters"] == []
    assert_forwarded_once(rig, order)


def test_poplar_real_rate_limit_is_waited_out_without_spending_attempts(tmp_path: Path) -> None:
    """Not a fault: the Poplar mock's own limiter (5 requests per 1 s window, reset in epoch
    seconds) against 15 orders approved at once by 4 workers."""
    with running_rig(tmp_path, poplar_config=PoplarConfig(rate_limit="5/1s")) as rig:
        orders = [rig.create_order(outcome="APPROVED")["id"] for _ in range(15)]
        wait_until(
            lambda: rig.status()["skipped_by_reason"].get("pending") == 15,
            message="15 PENDING webhooks skipped",
        )
        rig.advance(FILTERING)
        wait_until(
            lambda: rig.status()["forwarded"] == 15, timeout=20, message="15 orders forwarded"
        )

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


def test_lost_poplar_response_is_recognised_by_the_409_on_retry(tmp_path: Path) -> None:
    """Poplar stores the order but answers after the harness gave up waiting (0.4 s latency,
    0.3 s timeout); the retry (>= 0.5 s later) gets Poplar's 409: forwarded, not duplicated."""
    with running_rig(tmp_path, http_timeout=0.3, backoff_base=1.0) as rig:
        order = pending_order(rig)
        rig.fault("poplar", method="POST", path="/v1/order", latency_ms=400, times=1)
        row = approve(rig, order)

        assert [s["status"] for s in rig.submits(order["id"])] == [200, 409]
        assert (row["state"], row["reason"], row["attempts"]) == ("done", "forwarded:conflict", 2)
        assert_forwarded_once(rig, order)
