"""Replay: MindCloud's HeyPoplar connector (its public Universal API reference, ``create-order``
and ``delete-order``), a proxy that translates its actions to ``POST /v1/order`` and
``DELETE /v1/order/:order_id`` on the real API.

What it taught: the least an order needs and what comes back. Its create action sends only
``order_id``, ``order_date`` (``YYYY-MM-DD``), ``customer_email`` and an optional decimal
``total``, as JSON; the answer it documents has ``order_id``, ``currency``, ``customer`` and
``total`` as a **string**. Its delete action reads the deleted order back (``order_id``, ``total``
as a string).
"""

from __future__ import annotations

import requests

HEADERS = {"Authorization": "Bearer prod-mindcloud", "Content-Type": "application/json"}


def test_create_then_delete_with_the_minimal_fields(poplar_mock) -> None:
    body = {
        "order_id": "mc-1001",
        "order_date": "2024-05-01",
        "customer_email": "ava@example.com",
        "total": 42.5,
    }
    created = requests.post(f"{poplar_mock.url}/v1/order", json=body, headers=HEADERS, timeout=10)
    assert created.status_code == 200, created.text
    order = created.json()
    assert order["order_id"] == "mc-1001" and order["currency"] == "USD"
    assert isinstance(order["total"], str) and isinstance(order["customer"], dict)
    deleted = requests.delete(f"{poplar_mock.url}/v1/order/mc-1001", headers=HEADERS, timeout=10)
    assert 200 <= deleted.status_code < 300
    assert deleted.json()["order_id"] == "mc-1001"
    assert isinstance(deleted.json()["total"], str)
