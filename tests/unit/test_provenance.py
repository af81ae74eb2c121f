"""openapi/provenance.py: every request rule is tagged, and the two views differ exactly there."""

from __future__ import annotations

import jsonschema_rs
import pytest
import yaml

from openapi import spec_path
from openapi.provenance import TAGS, assumed_constraints, constraints, view

VENDORS = ("sopost", "poplar")
ORGANISATION = "f3a10b3a-a02f-4568-b1ca-ea6571620f91"  # the guide's


def document(vendor: str) -> dict:
    return yaml.safe_load(spec_path(vendor).read_text(encoding="utf-8"))


def valid(doc: dict, schema: str, instance) -> bool:
    root = {"$ref": f"#/components/schemas/{schema}", "components": doc["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True).is_valid(instance)


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_request_constraint_has_a_known_tag(vendor: str) -> None:
    untagged = [
        f"{c.label} {c.keyword}"
        for c in constraints(document(vendor), ("paths", "webhooks"))
        if c.provenance not in TAGS
    ]
    assert untagged == []


def test_the_enforced_view_drops_only_assumed_rules() -> None:
    raw = document("sopost")
    order = {
        "activity_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "address": {"line_1": "1 St", "town": "Bath", "territory": "GBR", "postcode": "BA1"},
        "full_name": "Jo",
        "email": "jo@example.com",
        "line_items": [{"stock_partition_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}],
        "telephone": "01914980123",
    }
    assert not valid(view(raw, enforced_only=False), "CreateOrderRequest", order)
    assert valid(view(raw, enforced_only=True), "CreateOrderRequest", order)
    # an observed rule stays: the order needs its activity
    del order["activity_id"]
    assert not valid(view(raw, enforced_only=True), "CreateOrderRequest", order)
    telephone = raw["components"]["schemas"]["CreateOrderRequest"]["properties"]["telephone"]
    assert "pattern" in telephone  # the loaded document itself is untouched


def test_the_content_type_rule_is_marked_for_the_body_parser() -> None:
    enforced = view(document("sopost"), enforced_only=True)
    assert enforced["paths"]["/orders"]["post"]["requestBody"]["x-any-content-type"] is True
    full = view(document("sopost"), enforced_only=False)
    assert "x-any-content-type" not in full["paths"]["/orders"]["post"]["requestBody"]


@pytest.mark.parametrize("enforced_only", [False, True])
def test_null_reads_as_absent_for_optional_poplar_fields_only(enforced_only: bool) -> None:
    derived = view(document("poplar"), enforced_only)
    body = {"order_id": "A-1", "order_date": "2024-05-01", "customer_email": "a@b.co"}
    assert valid(derived, "OrderRequest", {**body, "currency": None, "total": None})
    assert valid(derived, "OrderItem", {"identifier": "x", "total": 1, "quantity": None})
    assert not valid(derived, "OrderRequest", {**body, "order_id": None})
    edit = {k: v for k, v in body.items() if k != "order_id"}
    assert valid(derived, "OrderEditRequest", {**edit, "order_id": None})  # optional there


def test_poplar_offsetless_order_date_is_an_assumed_refusal() -> None:
    raw = document("poplar")
    body = {"order_id": "A-1", "order_date": "2024-05-01T10:00:00", "customer_email": "a@b.co"}
    assert not valid(view(raw, enforced_only=False), "OrderRequest", body)
    assert valid(view(raw, enforced_only=True), "OrderRequest", body)
    assert not valid(view(raw, enforced_only=True), "OrderRequest", {**body, "order_date": "May"})


def test_the_issue_list_of_invented_rules_is_assumed() -> None:
    found = {
        (vendor, c.label, c.keyword)
        for vendor in VENDORS
        for c in assumed_constraints(document(vendor), ("paths", "webhooks"))
    }
    assert {
        ("sopost", "CreateOrderRequest.telephone", "pattern"),
        ("sopost", "CreateOrderRequest.locale", "pattern"),
        ("sopost", "CreateOrderRequest.email", "pattern"),
        ("sopost", "CreateOrderRequest.line_items", "maxItems"),
        # (the url pattern is no longer a guess about SoPost: it is the mock's own delivery
        # rule, enforced in every view; issue 12, docs/mock-hardening.md)
        ("sopost", "WebhookSubscriptionRequest.url", "maxLength"),
        ("sopost", "WebhookSubscriptionRequest.events", "uniqueItems"),
        ("sopost", "OrderEvent.event_id", "pattern"),
        ("sopost", "POST /orders body", "content-type"),
        ("poplar", "OrderIdValue", "pattern"),
        ("poplar", "Metadata propertyNames", "minLength"),
        ("poplar", "OrderRequest.customer_email", "pattern"),
        ("poplar", "OrderRequest.customer_email", "maxLength"),
        ("poplar", "OrderDate", "not"),
    } <= found


def test_null_is_no_customer_identity() -> None:
    derived = view(document("poplar"), enforced_only=True)
    body = {"order_id": "A-1", "order_date": "2024-05-01", "shipping_address": None}
    assert not valid(derived, "OrderRequest", body)
    assert valid(derived, "OrderRequest", {**body, "customer_email": "a@b.co"})


def test_the_mocks_own_rules_are_tagged_as_such_and_enforced() -> None:
    """SoPost's webhook url spelling rule is mockkit's delivery safety, not SoPost's."""
    own = [c for c in constraints(document("sopost")) if c.provenance == "mockkit"]
    assert [(c.label, c.keyword) for c in own] == [("WebhookSubscriptionRequest.url", "pattern")]
    enforced = view(document("sopost"), enforced_only=True)
    backslash = {"url": "http://example.invalid\\.localhost/", "events": ["OrderEvent"]}
    body = {**backslash, "entity_type": "Organisation", "entity_id": ORGANISATION}
    assert not valid(enforced, "WebhookSubscriptionRequest", body)
    assert valid(enforced, "WebhookSubscriptionRequest", {**body, "url": "http://localhost:1/x"})
