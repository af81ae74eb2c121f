"""The "Customers (Orders API)" audience: two records per order, kept in step with the orders."""

from __future__ import annotations

from tests.unit.poplar.conftest import AUTH, ORDER

ADDRESS = {"address_1": "1 Main St", "postal_code": "10001"}


def count(client) -> int | None:
    audiences = client.get("/v1/audiences", headers=AUTH).get_json()
    assert [a["name"] for a in audiences] in ([], ["Customers (Orders API)"])
    return audiences[0]["member_count"] if audiences else None


def test_no_audience_before_the_first_order(poplar) -> None:
    assert poplar.get("/v1/audiences", headers=AUTH).get_json() == []


def test_two_records_per_order_through_edits_deletes_and_purge(poplar) -> None:
    poplar.post("/v1/order", json=ORDER, headers=AUTH)
    assert count(poplar) == 2
    poplar.post(
        "/v1/order", json={**ORDER, "order_id": "A-2", "shipping_address": ADDRESS}, headers=AUTH
    )
    assert count(poplar) == 4
    poplar.post("/v1/order", json={**ORDER, "order_id": "bad", "currency": "x"}, headers=AUTH)
    assert count(poplar) == 4  # rejected orders add nothing
    poplar.post("/v1/order/A-1", json={**ORDER, "billing_address": ADDRESS}, headers=AUTH)
    assert count(poplar) == 4  # an edit replaces, never adds
    poplar.delete("/v1/order/A-2", headers=AUTH)
    assert count(poplar) == 2
    assert poplar.post("/_mock/purge").get_json() == {"purged": 1}
    assert count(poplar) == 0  # the audience stays, empty


def test_records_follow_the_addresses(poplar) -> None:
    poplar.post("/v1/order", json={**ORDER, "shipping_address": ADDRESS}, headers=AUTH)
    me = poplar.get("/v1/me", headers=AUTH).get_json()
    [entry] = poplar.get(f"/_mock/audience?account_id={me['id']}").get_json()["audiences"]
    shipping, billing = entry["members"]
    assert (shipping["source"], billing["source"]) == ("shipping", "billing")
    assert shipping["address"]["address_1"] == "1 Main St"
    assert billing["address"] is None  # missing address: a record by email hash only
    assert billing["email_sha256"] == shipping["email_sha256"] is not None
    assert entry["audience"]["member_count"] == 2
