"""Permanent failures: the harness dead-letters the event with the vendor's reason instead of
looping, and an operator's retry forwards it once the cause is fixed."""

from __future__ import annotations

import uuid

from tests.integration.harness.rig import Rig, assert_forwarded_once, event_for
from tests.support import wait_until


def test_poplar_400_is_dead_lettered_then_retried_by_the_operator(rig: Rig) -> None:
    message = "Invalid 'shipping_address.postal_code': 'postal_code' is a required property"
    rule = rig.poplar.add_fault(
        method="POST",
        path="/v1/order",
        status=400,
        body={"error": {"title": "ValidationError", "message": message}},
    )
    order = rig.pending_order()
    row = rig.approve(order)

    assert (row["state"], row["attempts"]) == ("dead", 1)  # a permanent failure is not retried
    letters = rig.dead_letters()
    assert [(d["event_id"], d["order_id"]) for d in letters] == [(row["event_id"], order["id"])]
    assert letters[0]["reason"] == f"poplar rejected (400): ValidationError: {message}"
    assert rig.status()["dead_letters"] == 1
    assert rig.poplar.orders() == []
    assert [s["status"] for s in rig.submits(order["id"])] == [400]

    missing = rig.http.post(f"{rig.url}/dead-letters/{'0' * 40}/retry", timeout=5)
    assert missing.status_code == 404
    rig.poplar.remove_fault(rule["id"])
    retried = rig.http.post(f"{rig.url}/dead-letters/{row['event_id']}/retry", timeout=5)
    assert retried.status_code == 202, retried.text
    done = rig.wait_state(row["event_id"], "done")

    assert done["reason"] == "forwarded:created"
    assert [s["status"] for s in rig.submits(order["id"])] == [400, 200]
    assert rig.dead_letters() == []
    assert_forwarded_once(rig, order["id"])


def test_order_unknown_to_sopost_is_dead_lettered(rig: Rig) -> None:
    order_id = str(uuid.uuid4())
    event = event_for({"id": order_id, "activity_id": str(uuid.uuid4())})
    assert rig.send(event).status_code == 202

    row = rig.wait_state(event["event_id"], "dead")
    assert row["reason"] == "sopost order not found (404)"
    assert [r["status"] for r in rig.reads(order_id)] == [404]
    assert rig.submits() == []


def test_gives_up_after_max_attempts(start_rig) -> None:
    rig = start_rig(max_attempts=3)
    rig.poplar.add_fault(method="POST", path="/v1/order", status=500, times=10)
    order = rig.pending_order()
    row = rig.approve(order)

    assert (row["state"], row["attempts"]) == ("dead", 3)
    assert row["reason"] == "gave up after 3 attempts: poplar server error 500"
    assert [s["status"] for s in rig.submits(order["id"])] == [500, 500, 500]
    assert rig.poplar.orders() == []


def test_wrong_sopost_credentials_dead_letter_instead_of_looping(start_rig) -> None:
    rig = start_rig(sopost_api_password="wrong")
    order = rig.sopost.create_order(outcome="APPROVED")
    row = wait_until(
        lambda: (rows := rig.events(order["id"])) and rows[0]["state"] == "dead" and rows[0],
        message="the PENDING event dead-lettered",
    )
    assert row["reason"].startswith("sopost rejected (401)")
    assert [r["status"] for r in rig.reads(order["id"])] == [401]
