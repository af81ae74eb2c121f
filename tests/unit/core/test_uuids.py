"""UUIDs are matched case-insensitively: an upper-case id names the same entity."""

from __future__ import annotations

from mocks.core.spec import Spec
from mocks.core.uuids import canonical_uuids
from mocks.sopost.fixtures import GUIDE
from tests.support import organisation_subscription

UPPER = "3FA85F64-5717-4562-B3FC-2C963F66AFA6"


def test_only_values_the_schema_types_as_uuids_are_lower_cased() -> None:
    spec = Spec("uuids", {"components": {"schemas": {"Id": {"type": "string", "format": "uuid"}}}})
    schema = {
        "type": "object",
        "properties": {
            "id": {"$ref": "#/components/schemas/Id"},
            "identity": {"type": "string"},  # free text that may look like a UUID
            "items": {
                "type": "array",
                "items": {"anyOf": [{"$ref": "#/components/schemas/Id"}, {"type": "null"}]},
            },
        },
    }
    value = {"id": UPPER, "identity": UPPER, "items": [UPPER, None], "other": UPPER}
    assert canonical_uuids(spec, schema, value) == {
        "id": UPPER.lower(),
        "identity": UPPER,
        "items": [UPPER.lower(), None],
        "other": UPPER,
    }
    untyped = {"type": "object", "properties": {"identity": {"type": "string"}}}
    assert canonical_uuids(spec, untyped, {"identity": UPPER}) == {"identity": UPPER}


def test_an_upper_case_order_id_reads_the_order(sopost) -> None:
    response = sopost.get(f"/v1/orders/{GUIDE.order.upper()}")
    assert response.status_code == 200
    assert response.get_json()["id"] == GUIDE.order


def test_upper_case_references_in_an_order_body_are_the_same_entities(sopost) -> None:
    body = {
        "activity_id": GUIDE.activity.upper(),
        "full_name": "Ann Upper",
        "email": "ann.upper@example.com",
        "address": {"line_1": "1 High St", "town": "Bath", "territory": "GBR", "postcode": "X1"},
        "line_items": [{"stock_partition_id": GUIDE.stock_partition.upper()}],
        "consents": [{"consent_id": GUIDE.consent.upper()}],
    }
    created = sopost.post("/v1/orders", json=body)
    assert created.status_code == 201, created.get_json()
    order = sopost.get(f"/v1/orders/{created.get_json()['id']}").get_json()
    assert order["activity_id"] == GUIDE.activity
    assert order["line_items"] == [{"stock_partition_id": GUIDE.stock_partition}]
    assert order["consents"][0]["consent_id"] == GUIDE.consent


def test_an_upper_case_entity_and_subscription_id_are_found(sopost) -> None:
    body = {**organisation_subscription(), "entity_id": GUIDE.organisation.upper()}
    created = sopost.post("/webhooks", json=body)
    assert created.status_code == 201, created.get_json()
    subscription = created.get_json()["id"]
    assert sopost.get(f"/webhooks/{subscription.upper()}").status_code == 200
    assert sopost.delete(f"/webhooks/{subscription.upper()}").status_code == 204


def test_the_control_api_takes_upper_case_order_ids(sopost) -> None:
    response = sopost.post(
        f"/_mock/orders/{GUIDE.order.upper()}/transition", json={"status": "REJECTED"}
    )
    assert response.status_code == 200, response.get_json()
