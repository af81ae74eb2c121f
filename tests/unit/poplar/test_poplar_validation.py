"""Every rule of the order body: a 400 ValidationError whose message names the field.

Documented rules answer 400 in every mode; the assumed ones (``ASSUMED``) only under
``--strict``: by default the order is stored with an ``X-Mockkit-Warning`` naming the field.
"""

from __future__ import annotations

import pytest

from mocks.core.config import RuntimeConfig
from mocks.poplar.app import PoplarConfig, create_app
from tests.unit.poplar.conftest import AUTH, ORDER, error

# Cases whose rule is tagged assumed in openapi/poplar.yaml.
ASSUMED = {
    "empty order_id",
    "order_id with a slash",
    "date-time without zone",
    "upper-case sha256",
    "bad email",
    "currency with digits",
    "unknown top-level field",
    "unknown address field",
    "unknown item field",
}

ADDRESS = {"address_1": "1 Main St", "postal_code": "10001"}
ITEM = {"identifier": "SKU-1", "total": 10}


def _without(key: str) -> dict:
    return {k: v for k, v in ORDER.items() if k != key}


def _meta(metadata: dict, where: str = "order") -> dict:
    if where == "order":
        return {**ORDER, "metadata": metadata}
    return {**ORDER, "order_items": [{**ITEM, "metadata": metadata}]}


CASES = [
    ("missing order_id", _without("order_id"), "order_id"),
    ("missing order_date", _without("order_date"), "order_date"),
    ("empty order_id", {**ORDER, "order_id": ""}, "order_id"),
    ("order_id with a slash", {**ORDER, "order_id": "a/b"}, "order_id"),
    ("bad date", {**ORDER, "order_date": "05/01/2024"}, "order_date"),
    ("impossible date", {**ORDER, "order_date": "2024-02-30"}, "order_date"),
    ("date-time without zone", {**ORDER, "order_date": "2024-05-01T10:00:00"}, "order_date"),
    ("no identity field", {"order_id": "A-1", "order_date": "2024-05-01"}, "customer_email_sha256"),
    (
        "short sha256",
        {**_without("customer_email"), "customer_email_sha256": "ab" * 31},
        "customer_email_sha256",
    ),
    (
        "non-hex sha256",
        {**_without("customer_email"), "customer_email_sha256": "g" * 64},
        "customer_email_sha256",
    ),
    (
        "upper-case sha256",
        {**_without("customer_email"), "customer_email_sha256": "A" * 64},
        "customer_email_sha256",
    ),
    ("bad email", {**ORDER, "customer_email": "not-an-email"}, "customer_email"),
    ("currency of 2 letters", {**ORDER, "currency": "US"}, "currency"),
    ("currency of 4 letters", {**ORDER, "currency": "USDD"}, "currency"),
    ("currency with digits", {**ORDER, "currency": "U5D"}, "currency"),
    (
        "country of 2 letters",
        {**ORDER, "shipping_address": {**ADDRESS, "country": "US"}},
        "country",
    ),
    (
        "address without address_1",
        {**ORDER, "billing_address": {"postal_code": "1"}},
        "billing_address.address_1",
    ),
    (
        "address without postal_code",
        {**ORDER, "shipping_address": {"address_1": "1 St"}},
        "shipping_address.postal_code",
    ),
    (
        "item without identifier",
        {**ORDER, "order_items": [{"total": 1}]},
        "order_items.0.identifier",
    ),
    ("item without total", {**ORDER, "order_items": [{"identifier": "x"}]}, "order_items.0.total"),
    ("non-integer quantity", {**ORDER, "order_items": [{**ITEM, "quantity": 1.5}]}, "quantity"),
    ("string quantity", {**ORDER, "order_items": [{**ITEM, "quantity": "2"}]}, "quantity"),
    ("string total", {**ORDER, "total": "12.50"}, "total"),
    (
        "string item total",
        {**ORDER, "order_items": [{**ITEM, "total": "10"}]},
        "order_items.0.total",
    ),
    (
        "category not a list",
        {**ORDER, "order_items": [{**ITEM, "category": "Toys"}]},
        "order_items.0.category",
    ),
    ("new_buyer not boolean", _meta({"new_buyer": "yes"}), "new_buyer"),
    ("item new_buyer not boolean", _meta({"new_buyer": 1}, "item"), "new_buyer"),
    ("promo_code not string", _meta({"promo_code": 10}), "promo_code"),
    ("unknown top-level field", {**ORDER, "colour": "red"}, "colour"),
    (
        "unknown address field",
        {**ORDER, "shipping_address": {**ADDRESS, "zip": "1"}},
        "shipping_address.zip",
    ),
    ("unknown item field", {**ORDER, "order_items": [{**ITEM, "sku": "1"}]}, "order_items.0.sku"),
]
for where in ("order", "item"):
    prefix = "metadata" if where == "order" else "order_items.0.metadata"
    CASES += [
        (f"{where} metadata with 11 keys", _meta({f"k{i}": i for i in range(11)}, where), prefix),
        (f"{where} metadata key of 41 chars", _meta({"k" * 41: 1}, where), "metadata"),
        (
            f"{where} metadata value of 201 chars",
            _meta({"note": "x" * 201}, where),
            f"{prefix}.note",
        ),
        (f"{where} metadata value null", _meta({"note": None}, where), f"{prefix}.note"),
        (f"{where} metadata value object", _meta({"note": {"a": 1}}, where), f"{prefix}.note"),
        (f"{where} metadata value list", _meta({"note": [1]}, where), f"{prefix}.note"),
    ]


@pytest.fixture
def strict():
    """A ``--strict`` Poplar mock: assumed rules reject like documented ones."""
    config = PoplarConfig(runtime=RuntimeConfig(clock="manual", strict=True))
    return create_app(config, start=False).test_client()


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_violation_is_a_400_naming_the_field(strict, body: dict, field: str) -> None:
    response = strict.post("/v1/order", json=body, headers=AUTH)
    assert response.status_code == 400
    problem = error(response)
    assert problem["title"] == "ValidationError"
    assert field in problem["message"]


@pytest.mark.parametrize(("name", "body", "field"), CASES, ids=[c[0] for c in CASES])
def test_by_default_only_assumed_rules_are_let_through(poplar, name, body, field) -> None:
    response = poplar.post("/v1/order", json=body, headers=AUTH)
    if name not in ASSUMED:
        assert response.status_code == 400 and field in error(response)["message"]
        return
    assert response.status_code == 200, response.get_json()
    warnings = response.headers.getlist("X-Mockkit-Warning")
    assert warnings and all("assumed: the real API may reject this" in w for w in warnings)
    assert any(field.split(".")[-1] in w for w in warnings)


@pytest.mark.parametrize(
    ("body", "field"),
    [c[1:] for c in CASES if "order_id" not in c[0]],
    ids=[c[0] for c in CASES if "order_id" not in c[0]],
)
def test_edit_applies_the_same_rules(strict, body: dict, field: str) -> None:
    assert strict.post("/v1/order", json=ORDER, headers=AUTH).status_code == 200
    response = strict.post("/v1/order/A-1", json=body, headers=AUTH)
    assert response.status_code == 400
    assert field in error(response)["message"]


@pytest.mark.parametrize(
    "body",
    [
        {**ORDER, "order_date": "2024-05-01"},
        {**ORDER, "order_date": "2019-09-05T14:06:42Z"},
        {**ORDER, "order_date": "2019-09-05T14:06:42.123+02:00"},
        {**ORDER, "metadata": {f"k{i}": i for i in range(10)}},
        {**ORDER, "metadata": {"k" * 40: "x" * 200, "b": False, "n": 1.5}},
        {**ORDER, "order_items": [{**ITEM, "quantity": 2.0}]},
        {**ORDER, "total": -5},
        {"order_id": "A-1", "order_date": "2024-05-01", "shipping_address": ADDRESS},
        {"order_id": "A-1", "order_date": "2024-05-01", "billing_address": ADDRESS},
        {"order_id": "A-1", "order_date": "2024-05-01", "customer_email_sha256": "0" * 64},
    ],
    ids=[
        "date",
        "date-time",
        "offset",
        "10 keys",
        "limits",
        "2.0",
        "negative",
        "shipping",
        "billing",
        "sha256",
    ],
)
def test_documented_edges_are_accepted(poplar, body: dict) -> None:
    assert poplar.post("/v1/order", json=body, headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("data", "content_type", "status", "words"),
    [
        (b"", "application/json", 400, "body is required"),
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b"order_id=1", "application/x-www-form-urlencoded", 400, "not valid JSON"),
    ],
)
def test_body_that_is_not_json(poplar, data, content_type, status, words) -> None:
    response = poplar.post("/v1/order", data=data, content_type=content_type, headers=AUTH)
    assert response.status_code == status
    assert words in error(response)["message"]


def test_defaults_are_applied(poplar) -> None:
    body = {**ORDER, "shipping_address": ADDRESS}
    stored = poplar.post("/v1/order", json=body, headers=AUTH).get_json()
    assert stored["currency"] == "USD"
    assert stored["shipping_address"]["country"] == "USA"


def test_unknown_fields_are_ignored_with_one_warning_each(poplar) -> None:
    body = {
        **ORDER,
        "colour": "red",
        "shipping_address": {**ADDRESS, "zip": "1"},
        "order_items": [{**ITEM, "sku": "1"}],
    }
    response = poplar.post("/v1/order", json=body, headers=AUTH)
    assert response.status_code == 200
    stored = response.get_json()
    assert "colour" not in stored
    assert "zip" not in stored["shipping_address"]
    assert "sku" not in stored["order_items"][0]
    warnings = response.headers.getlist("X-Mockkit-Warning")
    assert sorted(w.split(":")[0] for w in warnings) == [
        "colour",
        "order_items.0.sku",
        "shipping_address.zip",
    ]
    # Unknown fields are let through; a documented rule still holds.
    bad = poplar.post("/v1/order", json={**body, "order_id": "A-2", "currency": "US"}, headers=AUTH)
    assert bad.status_code == 400


def test_a_json_body_under_another_content_type_is_read_with_a_warning(poplar) -> None:
    response = poplar.post(
        "/v1/order",
        data=b'{"order_id": "A-9", "order_date": "2024-05-01", "customer_email": "a@b.co"}',
        content_type="text/plain",
        headers=AUTH,
    )
    assert response.status_code == 200
    (warning,) = response.headers.getlist("X-Mockkit-Warning")
    assert warning.startswith("Content-Type: text/plain")


def test_null_optional_fields_read_as_absent(poplar) -> None:
    body = {
        **ORDER,
        "currency": None,
        "total": None,
        "customer_id": None,
        "shipping_address": {**ADDRESS, "address_2": None, "country": None},
        "order_items": [{**ITEM, "quantity": None, "price": None, "metadata": None}],
    }
    response = poplar.post("/v1/order", json=body, headers=AUTH)
    assert response.status_code == 200, response.get_json()
    assert response.headers.getlist("X-Mockkit-Warning") == []
    stored = response.get_json()
    assert stored["currency"] == "USD" and stored["shipping_address"]["country"] == "USA"
    # A required field is still required, and null is no identity.
    assert (
        poplar.post("/v1/order", json={**ORDER, "order_id": None}, headers=AUTH).status_code == 400
    )
    lone = {"order_id": "A-3", "order_date": "2024-05-01", "shipping_address": None}
    assert poplar.post("/v1/order", json=lone, headers=AUTH).status_code == 400
