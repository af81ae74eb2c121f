"""The request pipeline as a client sees it: every error in SoPost's envelope, naming the field."""

from __future__ import annotations

import json

import pytest

from mocks.core.config import RuntimeConfig
from mocks.sopost.app import create_app
from mocks.sopost.config import SoPostConfig
from mocks.sopost.fixtures import GUIDE

SUBSCRIPTION = {
    "url": "https://example.com",
    "events": ["OrderEvent"],
    "entity_type": "Organisation",
    "entity_id": GUIDE.organisation,
}


@pytest.fixture
def strict_sopost():
    """A ``--strict`` SoPost mock: assumed rules reject like documented ones."""
    app = create_app(SoPostConfig(runtime=RuntimeConfig(clock="manual", strict=True)), start=False)
    yield app.test_client()
    app.extensions["mockkit"].stop()


def error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"url": "ftp://example.com"}, "url", "absolute http"),
        ({"url": "example.com/hook"}, "url", "absolute http"),
        ({"events": ["OrderCreated"]}, "events.0", "allowed values"),
        ({"events": []}, "events", "events"),
        ({"entity_type": "Brand"}, "entity_type", "allowed values"),
        ({"entity_id": "not-a-uuid"}, "entity_id", "uuid"),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_subscription_validation_names_the_field(strict_sopost, change, field, words) -> None:
    response = strict_sopost.post("/webhooks", json={**SUBSCRIPTION, **change})
    assert response.status_code == 400
    assert error(response)["field"] == field
    assert words in error(response)["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        # (not the url pattern: it is the mock's delivery rule, enforced by default; issue 12)
        ({"events": []}, "events"),
        ({"events": ["OrderEvent", "OrderEvent"]}, "events"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_assumed_subscription_rules_only_warn_by_default(sopost, change, field) -> None:
    response = sopost.post("/webhooks", json={**SUBSCRIPTION, **change})
    assert response.status_code == 201
    (warning,) = response.headers.getlist("X-Mockkit-Warning")
    assert warning.startswith(f"{field}: ") and "assumed: the real API may reject this" in warning
    assert "colour" not in response.get_json()  # an unknown field is ignored


@pytest.mark.parametrize("missing", ["url", "events", "entity_type", "entity_id"])
def test_missing_subscription_fields(sopost, missing: str) -> None:
    body = {k: v for k, v in SUBSCRIPTION.items() if k != missing}
    response = sopost.post("/webhooks", json=body)
    assert response.status_code == 400
    assert error(response) == {
        "code": "validation_error",
        "field": missing,
        "message": f"Missing required field '{missing}': add it to the request body.",
    }


def test_malformed_json_is_400(sopost) -> None:
    response = sopost.post("/webhooks", data="{", content_type="application/json")
    assert response.status_code == 400 and error(response)["code"] == "malformed_json"


def test_wrong_content_type_is_415_under_strict(strict_sopost) -> None:
    response = strict_sopost.post("/webhooks", json=SUBSCRIPTION, content_type="text/plain")
    assert response.status_code == 415 and "application/json" in error(response)["message"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_is_read_whatever_its_label(sopost, content_type) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = sopost.post("/webhooks", data=json.dumps(SUBSCRIPTION), headers=headers)
    assert response.status_code == 201
    (warning,) = response.headers.getlist("X-Mockkit-Warning")
    assert warning.startswith(f"Content-Type: {content_type or '(none)'} is not application/json")


def test_a_body_that_is_not_json_is_400_whatever_its_label(sopost) -> None:
    response = sopost.post(
        "/webhooks", data="url=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and error(response)["code"] == "malformed_json"


def test_missing_body_is_400(sopost) -> None:
    response = sopost.post("/webhooks")
    assert response.status_code == 400 and "body is required" in error(response)["message"]


def test_unknown_route_is_404_in_envelope(sopost) -> None:
    response = sopost.get("/v1/nothing-here")
    assert response.status_code == 404 and error(response)["code"] == "not_found"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_wrong_method_is_405_with_allow(sopost, method: str) -> None:
    response = getattr(sopost, method)(f"/orders/{GUIDE.order}")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert error(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "order_id",
    ["nope", "3fa85f64", GUIDE.order.upper() + "0", "00000000-0000-4000-8000-000000000000"],
)
def test_unknown_or_malformed_order_is_404(sopost, order_id: str) -> None:
    response = sopost.get(f"/orders/{order_id}")
    assert response.status_code == 404 and error(response)["code"] == "not_found"


def test_invalid_request_never_reaches_state(sopost_app) -> None:
    client = sopost_app.test_client()
    before = len(sopost_app.extensions["mockkit"].state.subscriptions.all())
    client.post("/webhooks", json={**SUBSCRIPTION, "events": ["Nope"]})
    assert len(sopost_app.extensions["mockkit"].state.subscriptions.all()) == before
    journal = client.get("/_mock/requests").get_json()["requests"]
    assert journal[-1]["verdict"] == "invalid" and journal[-1]["status"] == 400


def test_create_order_checks_activity_partitions_and_consents(sopost) -> None:
    body = {
        "activity_id": GUIDE.activity,
        "full_name": "Ann Lee",
        "email": "ann@example.com",
        "address": {
            "line_1": "1 High St",
            "town": "Bath",
            "territory": "GBR",
            "postcode": "BA1 1AA",
        },
        "line_items": [{"stock_partition_id": GUIDE.stock_partition}],
        "consents": [{"consent_id": GUIDE.consent}],
        "locale": "en_GB",
    }
    created = sopost.post("/v1/orders", json=body)
    assert created.status_code == 201
    order = sopost.get(f"/v1/orders/{created.get_json()['id']}").get_json()
    assert order["status"] == "PENDING"
    assert order["consents"][0]["data_handler"] == "SoPost"
    bad_consent = sopost.post(
        "/orders",
        json={
            **body,
            "email": "b@example.com",
            "consents": [{"consent_id": "00000000-0000-4000-8000-000000000000"}],
        },
    )
    assert bad_consent.status_code == 404 and error(bad_consent)["field"] == "consents.0.consent_id"
    foreign = sopost.post("/orders", json={**body, "activity_id": GUIDE.order[:-1] + "7"})
    assert foreign.status_code == 404
