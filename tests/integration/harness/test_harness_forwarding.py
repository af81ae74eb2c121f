"""Forwarding decisions end to end: webhook -> inbox -> SoPost -> policy -> Poplar."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from tests.integration.harness.harness_testkit import (
    SOPOST_CONSENT,
    make_event,
    make_order,
)
from tests.support import wait_until
from tests.unit.harness import harness_samples as samples


def settled(harness) -> bool:
    inbox = harness.status()["inbox"]
    return inbox["received"] == 0 and inbox["processing"] == 0


def test_approved_order_with_consent_is_forwarded_once_with_mapped_fields(
    start_harness, sopost_fake, poplar_fake
) -> None:
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    order = fake_sopost.add(make_order("APPROVED"))
    event = make_event(order)

    response = harness.send(event)
    assert response.status_code == 202
    assert response.json() == {"event_id": event["event_id"], "duplicate": False}

    body = wait_until(lambda: fake_poplar.orders.get(order["id"]), message="the Poplar order")
    assert body == {
        **samples.GUIDE_POPLAR_BODY,
        "order_id": order["id"],
        "order_date": datetime.now(UTC).date().isoformat(),
        "customer_id": order["identity"],
        "metadata": {
            **samples.GUIDE_POPLAR_BODY["metadata"],
            "short_id": order["short_id"],
            "activity_id": order["activity_id"],
        },
    }
    wait_until(lambda: harness.event(event["event_id"])["state"] == "done")
    assert harness.event(event["event_id"])["reason"] == "forwarded:created"
    status = harness.status()
    assert status["forwarded"] == 1 and status["inbox"]["done"] == 1
    assert fake_poplar.created[order["id"]] == 1
    assert len(fake_poplar.requests) == 1


@pytest.mark.parametrize(
    ("status", "consents", "reason"),
    [
        ("APPROVED", [], "no_consent"),
        ("APPROVED", [{**SOPOST_CONSENT, "data_handler": "Boots"}], "consent_not_accepted"),
        ("APPROVED", [{**SOPOST_CONSENT, "status": "REJECTED"}], "consent_not_accepted"),
        ("REJECTED", [SOPOST_CONSENT], "rejected"),
        ("PENDING", [SOPOST_CONSENT], "pending"),
    ],
)
def test_ineligible_orders_are_skipped_with_the_reason(
    start_harness, sopost_fake, poplar_fake, status, consents, reason
) -> None:
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    order = fake_sopost.add(make_order(status, consents=consents))
    event = make_event(order)
    assert harness.send(event).status_code == 202

    wait_until(lambda: harness.event(event["event_id"])["state"] == "skipped")
    assert harness.event(event["event_id"])["reason"] == reason
    assert harness.status()["skipped_by_reason"] == {reason: 1}
    assert fake_poplar.requests == []


def test_pending_then_approved_forwards_once_on_the_later_event(
    start_harness, sopost_fake, poplar_fake
) -> None:
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    order = fake_sopost.add(make_order("PENDING"))
    pending = make_event(order, "PENDING")
    harness.send(pending)
    wait_until(lambda: harness.event(pending["event_id"])["state"] == "skipped")

    fake_sopost.set_status(order["id"], "APPROVED")
    approved = make_event(order, "APPROVED")
    harness.send(approved)
    wait_until(lambda: fake_poplar.created[order["id"]] == 1)
    wait_until(lambda: settled(harness))
    assert harness.status()["forwarded"] == 1


def test_duplicated_and_reordered_deliveries_forward_one_order(
    start_harness, sopost_fake, poplar_fake
) -> None:
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness(workers=4)
    orders = [fake_sopost.add(make_order("DISPATCHED")) for _ in range(5)]
    deliveries = []
    for order in orders:
        events = [make_event(order, s) for s in ("PENDING", "APPROVED", "PROCESSING")]
        deliveries += events + events  # every event delivered twice
    random.Random(4).shuffle(deliveries)

    answers = [harness.send(event).json()["duplicate"] for event in deliveries]
    assert answers.count(True) == 15 and answers.count(False) == 15

    wait_until(lambda: settled(harness), message="inbox drained")
    for order in orders:
        assert fake_poplar.created[order["id"]] == 1
    posted = [order_id for order_id, _, _ in fake_poplar.requests]
    assert sorted(posted) == sorted(o["id"] for o in orders)  # not even a 409 retry
    status = harness.status()
    assert status["forwarded"] == 5
    assert status["inbox"]["done"] == 15  # 5 forwarded + 10 "already forwarded"


def test_hand_built_config_values_are_case_insensitive(start_harness, sopost_fake, poplar_fake):
    """``mockkit serve`` builds HarnessConfig directly, possibly with {"SoPost"}."""
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness(
        data_handlers=frozenset({"SoPost"}),
        consent_ids=frozenset({SOPOST_CONSENT["consent_id"].upper()}),
    )
    order = fake_sopost.add(make_order())
    harness.send(make_event(order))
    wait_until(lambda: fake_poplar.created[order["id"]] == 1)
