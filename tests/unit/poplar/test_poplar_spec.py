"""openapi/poplar.yaml itself: valid OAS 3.1, provenance everywhere, examples that hold."""

from __future__ import annotations

import jsonschema_rs
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from mocks.core.spec import load_spec
from openapi import spec_path
from openapi.provenance import TAGS

PROVENANCE = set(TAGS)


@pytest.fixture(scope="module")
def document() -> dict:
    return load_spec("poplar").document


def validator(document: dict, name: str) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]},
        validate_formats=True,
    )


def test_openapi_spec_validator_accepts_it() -> None:
    spec, _ = read_from_filename(str(spec_path("poplar")))
    validate(spec)


def test_every_operation_and_property_has_provenance(document: dict) -> None:
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters" and operation.get("x-provenance") not in PROVENANCE:
                missing.append(f"{method} {path}")
    for name, schema in document["components"]["schemas"].items():
        if schema.get("x-provenance") not in PROVENANCE:
            missing.append(name)
        for prop, node in schema.get("properties", {}).items():
            if node.get("x-provenance") not in PROVENANCE:
                missing.append(f"{name}.{prop}")
    assert not missing


def test_docs_response_example_matches_the_order_schema(document: dict) -> None:
    example = document["components"]["examples"]["DocsOrder"]["value"]
    assert validator(document, "Order").is_valid(example)


@pytest.mark.parametrize("name", ["docs", "minimal"])
def test_request_examples_are_valid(document: dict, name: str) -> None:
    examples = document["paths"]["/v1/order"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]
    assert validator(document, "OrderRequest").is_valid(examples[name]["value"])


def test_identity_rule_is_in_the_schema(document: dict) -> None:
    """'At least one of the four' is an anyOf of required, not only code."""
    body = {"order_id": "x", "order_date": "2024-01-01"}
    assert not validator(document, "OrderRequest").is_valid(body)
    for key, value in [
        ("customer_email", "a@b.co"),
        ("customer_email_sha256", "a" * 64),
        ("shipping_address", {"address_1": "1 St", "postal_code": "1"}),
        ("billing_address", {"address_1": "1 St", "postal_code": "1"}),
    ]:
        assert validator(document, "OrderRequest").is_valid({**body, key: value})


def test_every_response_declares_the_rate_limit_headers(document: dict) -> None:
    spec = load_spec("poplar")
    for item in document["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                headers = spec.resolve(response).get("headers", {})
                assert set(headers) == {
                    "x-rate-limit-limit",
                    "x-rate-limit-remaining",
                    "x-rate-limit-reset",
                }, (method, status)


def test_links_lead_from_submit_to_edit_and_delete(document: dict) -> None:
    links = document["paths"]["/v1/order"]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in links.values()} == {"editOrder", "deleteOrder"}
    assert all(
        link["parameters"] == {"order_id": "$response.body#/order_id"} for link in links.values()
    )


def test_enforced_view_relaxes_only_the_assumed_rules(document: dict) -> None:
    enforced = load_spec("poplar").enforced
    body = {
        "order_id": "x",
        "order_date": "2024-01-01",
        "customer_email": "a@b.co",
        "colour": "red",
    }
    assert not validator(document, "OrderRequest").is_valid(body)
    assert validator(enforced, "OrderRequest").is_valid(body)  # unknown fields: assumed
    assert validator(enforced, "OrderRequest").is_valid({**body, "currency": "usd"})  # case
    assert not validator(enforced, "OrderRequest").is_valid({**body, "currency": "US"})  # 3 chars
    assert document["components"]["schemas"]["OrderRequest"]["additionalProperties"] is False
