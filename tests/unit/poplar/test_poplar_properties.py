"""Properties over generated orders: the mock accepts exactly what its spec accepts.

Bodies come from the spec itself (schemathesis' generator for ``submitOrder``), so the test
cannot drift from the schema. Read-back compares everything the client sent with what the mock
answers, modulo the documented defaults and renderings (money as strings, ``state`` ->
``state_name``, date-only -> midnight UTC, email -> its hash).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks.poplar.app import PoplarConfig, create_app
from openapi import spec_path
from tests.unit.poplar.conftest import AUTH

SUBMIT = schemathesis.openapi.from_path(spec_path("poplar"))["/v1/order"]["POST"]
SETTINGS = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _client():
    return create_app(PoplarConfig(rate_limit="1000000/1s"), start=False).test_client()


def _same_money(sent, shown) -> bool:
    return (sent is None and shown is None) or Decimal(shown) == Decimal(repr(sent))


def _check_address(sent: dict | None, shown: dict | None) -> None:
    if sent is None:
        assert shown is None
        return
    assert shown["address_1"] == sent["address_1"]
    assert shown["postal_code"] == sent["postal_code"]
    assert shown["country"] == sent.get("country", "USA")
    assert shown["state_name"] == sent.get("state")
    for key in ("name", "address_2", "city"):
        assert shown[key] == sent.get(key)


@given(case=SUBMIT.as_strategy())
@SETTINGS
def test_any_valid_order_is_accepted_and_read_back(case) -> None:
    body = case.body
    response = _client().post("/v1/order", json=body, headers=AUTH)
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown["order_id"] == body["order_id"]
    assert shown["currency"] == body.get("currency", "USD")
    assert _same_money(body.get("total"), shown["total"])
    assert shown["customer"]["id"] == body.get("customer_id")
    expected_hash = body.get("customer_email_sha256") or (
        hashlib.sha256(body["customer_email"].lower().encode()).hexdigest()
        if "customer_email" in body
        else None
    )
    assert shown["customer"]["email_sha256"] == expected_hash
    assert shown["metadata"] == body.get("metadata", {})
    date = body["order_date"]
    assert shown["order_date"] == (f"{date}T00:00:00Z" if len(date) == 10 else date)
    _check_address(body.get("shipping_address"), shown["shipping_address"])
    _check_address(body.get("billing_address"), shown["billing_address"])
    items = body.get("order_items", [])
    assert len(shown["order_items"]) == len(items)
    for sent, item in zip(items, shown["order_items"], strict=True):
        assert item["identifier"] == sent["identifier"]
        assert _same_money(sent["total"], item["total"])
        assert _same_money(sent.get("price"), item["price"])
        assert item["quantity"] == sent.get("quantity")
        assert item["category"] == sent.get("category", [])
        assert item["metadata"] == sent.get("metadata", {})
        assert item["description"] == sent.get("description")


VALID = {
    "order_id": "P-1",
    "order_date": "2024-05-01",
    "customer_email": "a@b.co",
    "shipping_address": {"address_1": "1 St", "postal_code": "1"},
    "order_items": [{"identifier": "x", "total": 1}],
}

# One documented rule broken per entry: (name, change to VALID).
VIOLATIONS = {
    "no order_id": lambda b: b.pop("order_id"),
    "no order_date": lambda b: b.pop("order_date"),
    "bad order_date": lambda b: b.update(order_date="2024-13-01"),
    "no identity": lambda b: [b.pop("customer_email"), b.pop("shipping_address")],
    "bad sha256": lambda b: b.update(customer_email_sha256="abc"),
    "bad currency": lambda b: b.update(currency="EURO"),
    "bad country": lambda b: b["shipping_address"].update(country="U"),
    "no address_1": lambda b: b["shipping_address"].pop("address_1"),
    "no postal_code": lambda b: b["shipping_address"].pop("postal_code"),
    "no identifier": lambda b: b["order_items"][0].pop("identifier"),
    "no item total": lambda b: b["order_items"][0].pop("total"),
    "float quantity": lambda b: b["order_items"][0].update(quantity=0.5),
    "11 metadata keys": lambda b: b.update(metadata={str(i): i for i in range(11)}),
    "long metadata key": lambda b: b.update(metadata={"k" * 41: 1}),
    "long metadata value": lambda b: b["order_items"][0].update(metadata={"k": "v" * 201}),
    "null metadata value": lambda b: b.update(metadata={"k": None}),
    "new_buyer not boolean": lambda b: b.update(metadata={"new_buyer": "true"}),
}


@given(case=SUBMIT.as_strategy(), rule=st.sampled_from(sorted(VIOLATIONS)))
@SETTINGS
def test_any_single_rule_violation_is_a_400(case, rule: str) -> None:
    """Start from a generated valid order, reshape it to carry the fields a rule needs, break
    exactly that rule."""
    body = {**case.body, **{k: v for k, v in VALID.items() if k not in ("order_items",)}}
    body["order_items"] = [{**item} for item in VALID["order_items"]]
    body["shipping_address"] = dict(VALID["shipping_address"])
    body.pop("customer_email_sha256", None)
    body.pop("billing_address", None)
    VIOLATIONS[rule](body)
    response = _client().post("/v1/order", json=body, headers=AUTH)
    assert response.status_code == 400, (rule, body)
    assert response.get_json()["error"]["title"] == "ValidationError"
