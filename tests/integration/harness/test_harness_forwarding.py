"""The harness against the real SoPost and Poplar mocks: what gets forwarded, what is skipped,
and exactly-once under duplicated, reordered, late and redelivered webhooks.

Every order is created through SoPost's control API; its webhooks come from the SoPost mock's
dispatcher (signed with the subscription's secret); the harness reads the order from the SoPost
mock and submits to the Poplar mock, whose store and journal are the oracle.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from tests.integration.harness.rig import FILTERING, STAGE, Rig
from tests.support import wait_until


def outcomes(rows: list[dict]) -> list[tuple[str, str, str]]:
    return [(row["event"], row["state"], row["reason"]) for row in rows]


def test_approved_order_with_consent_is_forwarded_once_with_the_mapped_fields(rig: Rig) -> None:
    partitions = rig.stock_partitions()[:2]
    question = {
        "question_text": "What is your biggest skincare concern?",
        "question_id": "skincare-concern-101",
        "answer": [
            {"answer_text": "Signs of ageing", "answer_id": "ageing-423"},
            {"answer_text": "Sun damage", "answer_id": "sun-033"},
        ],
    }
    order = rig.sopost.create_order(
        outcome="APPROVED",
        email="Ada.Lovelace@Example.COM",
        full_name="Ada Lovelace",
        address={
            "line_1": "12 Analytical Row",
            "line_2": "Flat 3",
            "town": "Bath",
            "territory": "GBR",
            "postcode": "BA1 1AA",
        },
        line_items=[{"stock_partition_id": p} for p in partitions],
        custom_questions=[question],
    )

    rows = rig.wait_settled(order["id"], 1)
    assert outcomes(rows) == [("PENDING", "skipped", "pending")]
    assert rig.submits() == []

    rig.advance(FILTERING)
    rows = rig.wait_settled(order["id"], 2)
    assert outcomes(rows) == [
        ("PENDING", "skipped", "pending"),
        ("APPROVED", "done", "forwarded:created"),
    ]

    submits = rig.submits()
    assert [(s["status"], s["verdict"]) for s in submits] == [(200, "valid")]
    received = datetime.fromtimestamp(rows[1]["received_at"], UTC)
    assert submits[0]["body"] == {
        "order_id": order["id"],
        "order_date": received.strftime("%Y-%m-%d"),
        "total": 0,
        "customer_email_sha256": hashlib.sha256(b"ada.lovelace@example.com").hexdigest(),
        "customer_id": order["identity"],
        "shipping_address": {
            "name": "Ada Lovelace",
            "address_1": "12 Analytical Row",
            "address_2": "Flat 3",
            "city": "Bath",
            "postal_code": "BA1 1AA",
            "country": "GBR",
        },
        "order_items": [{"identifier": p, "quantity": 1, "total": 0} for p in partitions],
        "metadata": {
            "short_id": order["short_id"],
            "activity_id": order["activity_id"],
            "skincare-concern-101": "Signs of ageing; Sun damage",
        },
    }

    [stored] = rig.poplar.orders()
    assert stored["order_id"] == order["id"]
    assert stored["customer"]["email_sha256"] == submits[0]["body"]["customer_email_sha256"]
    assert stored["shipping_address"]["postal_code"] == "BA1 1AA"
    assert stored["shipping_address"]["address_1"] == "12 Analytical Row"
    assert [item["identifier"] for item in stored["order_items"]] == partitions
    assert stored["metadata"]["short_id"] == order["short_id"]
    assert stored["metadata"]["activity_id"] == order["activity_id"]

    status = rig.status()
    assert status["forwarded"] == 1
    assert status["skipped_by_reason"] == {"pending": 1}
    assert status["dead_letters"] == 0


@pytest.mark.parametrize(
    ("overrides", "decided", "reason"),
    [
        ({"outcome": "APPROVED", "consents": []}, "APPROVED", "no_consent"),
        (
            {"outcome": "APPROVED", "consents": [{"data_handler": "Harbour & Finch"}]},
            "APPROVED",
            "consent_not_accepted",
        ),
        (
            {"outcome": "APPROVED", "consents": [{"data_handler": "SoPost", "status": "REJECTED"}]},
            "APPROVED",
            "consent_not_accepted",
        ),
        ({"outcome": "REJECTED"}, "REJECTED", "rejected"),
    ],
    ids=["no-consent", "retailer-only-consent", "consent-refused", "rejected"],
)
def test_ineligible_order_is_skipped_with_its_reason(
    rig: Rig, overrides: dict, decided: str, reason: str
) -> None:
    order = rig.sopost.create_order(**overrides)
    rig.wait_settled(order["id"], 1)
    rig.advance(FILTERING)
    rows = rig.wait_settled(order["id"], 2)

    assert outcomes(rows) == [("PENDING", "skipped", "pending"), (decided, "skipped", reason)]
    status = rig.status()
    assert status["skipped_by_reason"] == {"pending": 1, reason: 1}
    assert status["forwarded"] == 0
    assert status["dead_letters"] == 0
    assert rig.submits() == []
    assert rig.poplar.orders() == []


def test_order_still_pending_is_skipped_and_never_forwarded(rig: Rig) -> None:
    order = rig.sopost.create_order(outcome="PENDING")
    rig.wait_settled(order["id"], 1)
    # Well past every lifecycle delay: SoPost never decides, so no further event comes.
    clock = rig.advance(FILTERING + 3 * STAGE + 5)
    assert clock["ran"] == 0

    rows = rig.wait_settled(order["id"], 1)
    assert outcomes(rows) == [("PENDING", "skipped", "pending")]
    assert len(rig.sopost.deliveries(order["id"])) == 1
    status = rig.status()
    assert status["skipped_by_reason"] == {"pending": 1}
    assert status["forwarded"] == 0
    assert rig.submits() == []
    assert rig.poplar.orders() == []


def test_duplicated_deliveries_and_later_stages_forward_once(rig: Rig) -> None:
    rig.sopost.add_fault(scope="delivery", event="APPROVED", duplicate=2)
    order = rig.sopost.create_order(outcome="APPROVED")
    rig.wait_settled(order["id"], 1)
    rig.advance(FILTERING)
    rig.wait_settled(order["id"], 2)
    for _ in range(3):  # PROCESSING, DISPATCHED, DELIVERED
        rig.advance(STAGE)
    rows = rig.wait_settled(order["id"], 5)

    approved = [d for d in rig.sopost.deliveries(order["id"]) if d["event"] == "APPROVED"]
    assert len(approved) == 3
    assert len({d["event_id"] for d in approved}) == 1
    assert [a["status"] for d in approved for a in d["attempts"]] == [202, 202, 202]
    assert sorted(outcomes(rows)) == sorted(
        [
            ("PENDING", "skipped", "pending"),
            ("APPROVED", "done", "forwarded:created"),
            ("PROCESSING", "done", "already_forwarded"),
            ("DISPATCHED", "done", "already_forwarded"),
            ("DELIVERED", "done", "already_forwarded"),
        ]
    )
    assert [s["status"] for s in rig.submits(order["id"])] == [200]
    assert rig.stored() == [order["id"]]
    assert rig.status()["forwarded"] == 1


def test_reordered_pending_webhook_after_approval_forwards_once(rig: Rig) -> None:
    # SoPost holds the PENDING delivery back until the next delivery to the harness went out.
    rig.sopost.add_fault(scope="delivery", event="PENDING", reorder=True)
    order = rig.sopost.create_order(outcome="APPROVED")
    assert [d["status"] for d in rig.sopost.deliveries(order["id"])] == ["pending"]
    rig.advance(FILTERING)
    rows = rig.wait_settled(order["id"], 2)

    assert outcomes(rows) == [
        ("APPROVED", "done", "forwarded:created"),
        ("PENDING", "done", "already_forwarded"),
    ]
    assert [s["status"] for s in rig.submits(order["id"])] == [200]
    assert rig.stored() == [order["id"]]


def test_late_pending_webhook_after_delivery_forwards_once(rig: Rig) -> None:
    # The PENDING webhook is delayed by 5 s of mock time: it lands after DELIVERED.
    rig.sopost.add_fault(scope="delivery", event="PENDING", delay_ms=5000)
    order = rig.sopost.create_order(outcome="APPROVED")
    rig.advance(FILTERING)
    for _ in range(3):
        rig.advance(STAGE)
    wait_until(
        lambda: [r["state"] for r in rig.events(order["id"])] == ["done"] * 4,
        message="APPROVED..DELIVERED processed",
    )
    assert rig.submits(order["id"])[0]["status"] == 200

    rig.advance(5)
    rows = rig.wait_settled(order["id"], 5)
    assert outcomes(rows)[-1] == ("PENDING", "done", "already_forwarded")
    assert [s["status"] for s in rig.submits(order["id"])] == [200]
    assert rig.stored() == [order["id"]]
    assert rig.status()["skipped_by_reason"] == {}


def test_redelivered_pending_webhook_after_delivery_is_a_no_op(rig: Rig) -> None:
    order = rig.sopost.create_order(outcome="APPROVED")
    rig.wait_settled(order["id"], 1)
    rig.advance(FILTERING)
    for _ in range(3):
        rig.advance(STAGE)
    before = rig.wait_settled(order["id"], 5)
    status_before = rig.status()

    pending = next(d for d in rig.sopost.deliveries(order["id"]) if d["event"] == "PENDING")
    again = rig.sopost.redeliver(pending["id"])
    assert again["event_id"] == pending["event_id"]
    rows = rig.wait_settled(order["id"], 5)

    redelivered = next(d for d in rig.sopost.deliveries(order["id"]) if d["id"] == again["id"])
    assert [a["status"] for a in redelivered["attempts"]] == [202]
    assert rows == before  # same event_id: stored once, not processed again
    assert rig.status() == status_before
    assert [s["status"] for s in rig.submits(order["id"])] == [200]
    assert rig.stored() == [order["id"]]


def test_hand_built_config_values_are_case_insensitive(start_rig) -> None:
    """``mockkit serve`` builds HarnessConfig directly, possibly with {"SoPost"} and an
    upper-case consent id: they still match SoPost's values."""
    consent_id = "5a4bd7e2-93b1-4c0e-9d6f-2a7c1e8b3f40"
    rig = start_rig(
        data_handlers=frozenset({"SoPost"}), consent_ids=frozenset({consent_id.upper()})
    )
    order = rig.sopost.create_order(
        outcome="APPROVED", consents=[{"consent_id": consent_id, "data_handler": "SoPost"}]
    )
    rig.wait_settled(order["id"], 1)
    rig.advance(FILTERING)
    rows = rig.wait_settled(order["id"], 2)
    assert outcomes(rows)[1] == ("APPROVED", "done", "forwarded:created")
    assert rig.stored() == [order["id"]]
