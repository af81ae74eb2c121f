"""Submit, edit and delete: statuses, the documented response shape, per-account storage."""

from __future__ import annotations

import hashlib

from mocks.poplar.fixtures import example_request
from tests.unit.poplar.conftest import AUTH, ORDER, error


def test_submit_answers_the_stored_order_in_the_docs_shape(poplar, mock) -> None:
    response = poplar.post("/v1/order", json=example_request(), headers=AUTH)
    assert response.status_code == 200
    order = response.get_json()
    docs = mock.runtime.spec.document["components"]["examples"]["DocsOrder"]["value"]
    assert list(order) == list(docs)  # same fields, same order
    assert order["total"] == "126.0"
    assert [item["total"] for item in order["order_items"]] == ["504.0", "297.0"]
    assert [item["price"] for item in order["order_items"]] == ["0.0", "483.0"]
    assert order["customer"] == docs["customer"]
    assert order["shipping_address"]["state_name"] == "TN"
    assert order["shipping_address"]["company"] is None
    assert order["order_items"][1]["metadata"] == {}


def test_date_only_order_date_is_stored_as_midnight_utc(poplar) -> None:
    order = poplar.post("/v1/order", json=ORDER, headers=AUTH).get_json()
    assert order["order_date"] == "2024-05-01T00:00:00Z"


def test_customer_email_becomes_the_hash_of_the_lower_cased_address(poplar) -> None:
    order = poplar.post("/v1/order", json=ORDER, headers=AUTH).get_json()
    assert order["customer"]["email_sha256"] == hashlib.sha256(b"jo@example.com").hexdigest()


def test_duplicate_order_id_is_a_409(poplar) -> None:
    assert poplar.post("/v1/order", json=ORDER, headers=AUTH).status_code == 200
    response = poplar.post("/v1/order", json=ORDER, headers=AUTH)
    assert response.status_code == 409
    assert error(response)["title"] == "Conflict"
    assert "order_id" in error(response)["message"]


def test_same_order_id_in_another_account_is_fine(poplar) -> None:
    other = {"Authorization": "Bearer prod_someone_else"}
    assert poplar.post("/v1/order", json=ORDER, headers=AUTH).status_code == 200
    assert poplar.post("/v1/order", json=ORDER, headers=other).status_code == 200


def test_edit_replaces_the_order_and_keeps_its_id(poplar) -> None:
    first = poplar.post("/v1/order", json={**ORDER, "total": 10}, headers=AUTH).get_json()
    body = {k: v for k, v in ORDER.items() if k != "order_id"} | {"total": 12.5}
    response = poplar.post("/v1/order/A-1", json=body, headers=AUTH)
    assert response.status_code == 200
    edited = response.get_json()
    assert edited["id"] == first["id"]
    assert edited["total"] == "12.5"


def test_edit_accepts_the_same_order_id_in_the_body(poplar) -> None:
    poplar.post("/v1/order", json=ORDER, headers=AUTH)
    assert poplar.post("/v1/order/A-1", json=ORDER, headers=AUTH).status_code == 200


def test_edit_cannot_change_order_id(poplar) -> None:
    poplar.post("/v1/order", json=ORDER, headers=AUTH)
    response = poplar.post("/v1/order/A-1", json={**ORDER, "order_id": "B-2"}, headers=AUTH)
    assert response.status_code == 400
    assert error(response)["title"] == "ValidationError"
    assert "order_id" in error(response)["message"]


def test_edit_of_unknown_order_is_a_404(poplar) -> None:
    response = poplar.post("/v1/order/nope", json=ORDER | {"order_id": "nope"}, headers=AUTH)
    assert response.status_code == 404
    assert error(response)["title"] == "NotFound"
    assert "order_id" in error(response)["message"]


def test_delete_answers_the_deleted_order_as_the_reference_shows_then_404(poplar) -> None:
    stored = poplar.post("/v1/order", json={**ORDER, "total": 12.5}, headers=AUTH).get_json()
    me = poplar.get("/v1/me", headers=AUTH).get_json()
    response = poplar.delete("/v1/order/A-1", headers=AUTH)
    assert response.status_code == 200
    deleted = response.get_json()
    # The flat record of the one public reference (MindCloud's HeyPoplar Delete Order).
    assert set(deleted) == {
        "id", "order_id", "organization_id", "currency", "total", "customer_id",
        "customer_email_sha256", "metadata", "order_date", "source", "created_at",
        "updated_at", "matched_at",
    }  # fmt: skip
    assert (deleted["id"], deleted["order_id"]) == (stored["id"], "A-1")
    assert (deleted["organization_id"], deleted["total"]) == (me["id"], "12.5")
    assert deleted["customer_email_sha256"] == stored["customer"]["email_sha256"]
    assert (deleted["source"], deleted["matched_at"]) == ("api", None)
    assert deleted["order_date"] == stored["order_date"]
    again = poplar.delete("/v1/order/A-1", headers=AUTH)
    assert again.status_code == 404
    assert "order_id" in error(again)["message"]
    # Deleted means gone: the id can be submitted afresh.
    assert poplar.post("/v1/order", json=ORDER, headers=AUTH).status_code == 200


def test_another_accounts_order_is_invisible(poplar) -> None:
    poplar.post("/v1/order", json=ORDER, headers=AUTH)
    other = {"Authorization": "Bearer prod_someone_else"}
    assert poplar.delete("/v1/order/A-1", headers=other).status_code == 404
    assert poplar.post("/v1/order/A-1", json=ORDER, headers=other).status_code == 404


def test_unknown_route_and_method_use_the_envelope(poplar) -> None:
    assert error(poplar.get("/v1/orders", headers=AUTH))["title"] == "NotFound"
    response = poplar.get("/v1/order", headers=AUTH)
    assert response.status_code == 405
    assert error(response)["title"] == "MethodNotAllowed"


def test_control_api_lists_orders_per_account(poplar) -> None:
    poplar.post("/v1/order", json=ORDER, headers=AUTH)
    poplar.post("/v1/order", json=ORDER, headers={"Authorization": "Bearer prod_other"})
    listing = poplar.get("/_mock/orders").get_json()
    assert len(listing["orders"]) == 2
    assert len({o["account_id"] for o in listing["orders"]}) == 2
    me = poplar.get("/v1/me", headers=AUTH).get_json()
    mine = poplar.get(f"/_mock/orders?account_id={me['id']}").get_json()
    assert [o["order_id"] for o in mine["orders"]] == ["A-1"]
    assert mine["accounts"][0]["token"] == "prod…0001"
    assert poplar.get("/_mock/orders?account_id=nope").status_code == 404


def test_control_reset_forgets_everything(poplar) -> None:
    poplar.post("/v1/order", json=ORDER, headers=AUTH)
    assert poplar.post("/_mock/reset").status_code == 200
    assert poplar.get("/_mock/orders").get_json()["orders"] == []
    assert poplar.post("/v1/order", json=ORDER, headers=AUTH).status_code == 200
