"""Money is decimal end to end: JSON numbers read as exact decimals, rendered exactly."""

from __future__ import annotations

import pytest

from tests.unit.poplar.conftest import AUTH


def submit(poplar, raw_total: str, item_total: str = "1", price: str = "2"):
    """Post the numbers as the client wrote them (the test client would re-encode floats)."""
    body = (
        f'{{"order_id": "M-1", "order_date": "2024-05-01", "customer_email": "a@example.com",'
        f' "total": {raw_total}, "order_items": [{{"identifier": "sku", "total": {item_total},'
        f' "price": {price}, "quantity": 2.0, "metadata": {{"weight": 1.25}}}}]}}'
    )
    return poplar.post("/v1/order", data=body, headers={**AUTH, "Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("sent", "rendered"),
    [
        ("126", "126.0"),  # the docs' example
        ("1234567890123456.75", "1234567890123456.75"),  # beyond a float's 15-17 digits
        ("0.1", "0.1"),
        ("12.50", "12.5"),
        ("1e2", "100.0"),
        ("-3.10", "-3.1"),
    ],
)
def test_totals_are_rendered_exactly(poplar, sent: str, rendered: str) -> None:
    response = submit(poplar, sent, item_total=sent, price=sent)
    assert response.status_code == 200, response.get_json()
    order = response.get_json()
    assert order["total"] == rendered
    [item] = order["order_items"]
    assert (item["total"], item["price"], item["quantity"]) == (rendered, rendered, 2)


def test_stored_edited_and_deleted_orders_keep_the_exact_amount(poplar) -> None:
    submit(poplar, "1234567890123456.75")
    [stored] = poplar.get("/_mock/orders").get_json()["orders"]
    assert stored["total"] == "1234567890123456.75"
    raw = '{"order_date": "2024-05-01", "customer_email": "a@example.com", "total": 99.995}'
    edited = poplar.post(
        "/v1/order/M-1", data=raw, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert edited.status_code == 200
    assert edited.get_json()["total"] == "99.995"
    assert poplar.delete("/v1/order/M-1", headers=AUTH).get_json()["total"] == "99.995"


def test_metadata_numbers_stay_numbers_and_the_journal_shows_numbers(poplar) -> None:
    order = submit(poplar, "10.5").get_json()
    assert order["order_items"][0]["metadata"] == {"weight": 1.25}
    [entry] = poplar.get("/_mock/requests").get_json()["requests"]
    assert entry["body"]["total"] == 10.5
    assert entry["body"]["customer_email"] == "[redacted]"


def test_a_total_that_is_not_a_number_is_still_a_400(poplar) -> None:
    assert submit(poplar, '"ten"').status_code == 400
