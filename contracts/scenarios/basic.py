"""Forwarding rules: approval, consent, duplicates, ordering, signatures, e-mail hashing."""

from __future__ import annotations

import hashlib
import time
import uuid

import requests

from contracts.context import Context, ScenarioFailed
from contracts.scenarios import scenario


def _sha256(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _expect_identity(ctx: Context, stored: dict, order: dict) -> None:
    """Poplar's order must name the same customer: e-mail hash and/or postcode + address_1."""
    shipping = stored.get("shipping_address") or {}
    email_hash = (stored.get("customer") or {}).get("email_sha256")
    address = order["address"]
    hash_ok = email_hash == _sha256(order["email"])
    address_ok = (
        shipping.get("postal_code", "").replace(" ", "").upper()
        == address["postcode"].replace(" ", "").upper()
        and shipping.get("address_1") == address["line_1"]
    )
    ctx.evidence["identity"] = {
        "email_sha256_matches": hash_ok,
        "postcode_and_address_1_match": address_ok,
    }
    if email_hash and not hash_ok:
        raise ScenarioFailed(
            "customer_email_sha256 is not the SHA-256 of the lower-cased SoPost e-mail"
        )
    if shipping and not address_ok:
        raise ScenarioFailed(
            f"shipping address {shipping.get('address_1')!r} "
            f"{shipping.get('postal_code')!r} does not match the SoPost order"
        )
    if not hash_ok and not address_ok:
        raise ScenarioFailed("Poplar's order carries neither the e-mail hash nor the address")


@scenario(
    1,
    "approved-consent",
    "MUST",
    "An approved order with the brand's consent reaches Poplar exactly once, as the same customer",
)
def approved_with_consent(ctx: Context) -> None:
    order = ctx.create_order(distribute=True)  # the distribution stages send more events
    snap = ctx.wait_forwarded([order["id"]], final_event="DELIVERED")
    ctx.expect_once(snap, order["id"])
    _expect_identity(ctx, ctx.stored_order(snap, order["id"]), order)


@scenario(2, "no-consent", "MUST", "An approved order without any consent is not forwarded")
def no_consent(ctx: Context) -> None:
    _expect_nothing(ctx, "no consent", consents=[])


def _expect_nothing(ctx: Context, why: str, event: str = "APPROVED", **overrides: object) -> None:
    """One order the integration must not forward: judged once it answered ``event``."""
    order = ctx.create_order(**overrides)
    snap = ctx.wait_answered([order["id"]], event, forbidden=[order["id"]])
    ctx.expect_none(snap, order["id"], why)


@scenario(3, "rejected", "MUST", "A rejected order is not forwarded")
def rejected(ctx: Context) -> None:
    _expect_nothing(ctx, "rejected", "REJECTED", outcome="REJECTED")


@scenario(4, "pending", "MUST", "An order still PENDING is not forwarded")
def pending(ctx: Context) -> None:
    _expect_nothing(ctx, "pending", "PENDING", outcome="PENDING")


@scenario(
    5,
    "duplicate-delivery",
    "MUST",
    "The same event delivered three times gives one Poplar order",
)
def duplicate_delivery(ctx: Context) -> None:
    fields = ctx.order_fields()
    mine = {"order_id": fields["id"]}
    ctx.add_fault("sopost", scope="delivery", event="APPROVED", duplicate=2, times=1, where=mine)
    order = ctx.create_order(**fields)
    snap = ctx.wait_forwarded([order["id"]])
    ctx.expect_once(snap, order["id"])


@scenario(
    6,
    "out-of-order",
    "MUST",
    "Late PENDING and APPROVED events after a later stage give one Poplar order",
)
def out_of_order(ctx: Context) -> None:
    sopost = ctx.mocks.sopost
    fields = ctx.order_fields(outcome="PENDING")
    mine = {"order_id": fields["id"]}
    ctx.add_fault("sopost", scope="delivery", event="PENDING", delay_ms=1000, times=1, where=mine)
    ctx.add_fault("sopost", scope="delivery", event="APPROVED", delay_ms=800, times=1, where=mine)
    order = ctx.create_order(**fields)
    sopost.transition(order["id"], "APPROVED")
    sopost.transition(order["id"], "PROCESSING")
    ctx.evidence["sent"] = "PROCESSING at once; APPROVED after 0.8 s; PENDING after 1 s"
    ctx.wait(lambda: len(sopost.deliveries(order_id=order["id"])) >= 3, 5)
    snap = ctx.wait_forwarded([order["id"]], final_event="PENDING")
    ctx.expect_once(snap, order["id"])


@scenario(
    11,
    "bad-signature",
    "SHOULD",
    "A webhook with a bad signature causes nothing (no Poplar order)",
)
def bad_signature(ctx: Context) -> None:
    # The order is approved only once the integration has seen it PENDING, and the genuine
    # APPROVED event is held back for a day: only the forged one can make it forward.
    order = ctx.create_order(outcome="PENDING")
    ctx.wait_answered([order["id"]], "PENDING", timeout=5)
    ctx.wait(lambda: ctx.fetched(order["id"]), ctx.settle)  # it has seen the order PENDING
    held = {"scope": "delivery", "event": "APPROVED", "delay_ms": 86_400_000, "times": 1}
    ctx.add_fault("sopost", **held, where={"order_id": order["id"]})
    ctx.mocks.sopost.transition(order["id"], "APPROVED")
    ctx.wait(lambda: len(ctx.deliveries([order["id"]])[order["id"]]) >= 2, 5)
    event_id = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    body = {
        "event_id": event_id,
        "event": "APPROVED",
        "order_id": order["id"],
        "activity_id": order["activity_id"],
    }
    response = requests.post(
        ctx.webhook_url,
        json=body,
        timeout=10,
        headers={
            "webhook-id": event_id,
            "webhook-timestamp": str(int(time.time())),
            "webhook-signature": "v1,bm90LXRoZS1yaWdodC1zaWduYXR1cmUtYXQtYWxsLXJlYWxseQ==",
        },
    )
    ctx.evidence["forged_delivery_answer"] = response.status_code
    ctx.wait(lambda: ctx.poplar_log.submits(order["id"]), ctx.settle * 1.5)
    ctx.expect_none(ctx.snapshot(), order["id"], "only a forged APPROVED event")


@scenario(
    12,
    "retailer-consent",
    "SHOULD",
    "Only a retailer's consent (another data handler) gives no Poplar order",
)
def retailer_consent(ctx: Context) -> None:
    retailer = "Harbour & Finch" if ctx.data_handler != "Harbour & Finch" else "Boots"
    ctx.evidence["consents"] = [{"data_handler": retailer, "status": "APPROVED"}]
    _expect_nothing(ctx, "retailer-only consent", consents=ctx.evidence["consents"])


@scenario(
    15, "email-case", "MUST", "A mixed-case e-mail is hashed lower-cased (customer_email_sha256)"
)
def email_case(ctx: Context) -> None:
    email = "Case." + ctx.email("MiXed").replace("example.com", "Example.COM")
    order = ctx.create_order(email=email)
    snap = ctx.wait_forwarded([order["id"]])
    ctx.expect_once(snap, order["id"])
    got = (ctx.stored_order(snap, order["id"]).get("customer") or {}).get("email_sha256")
    ctx.evidence.update({"email": email, "expected_sha256": _sha256(email), "poplar_sha256": got})
    if got != _sha256(email):
        raise ScenarioFailed(
            "customer_email_sha256 is not the SHA-256 of the trimmed, "
            "lower-cased e-mail" + (" (none was sent)" if not got else "")
        )
