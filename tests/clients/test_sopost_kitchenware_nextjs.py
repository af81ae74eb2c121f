"""Replay: AlZeck/sopost-kitchenware-interview, ``pages/api/order.ts`` (Next.js API route, axios).

What it taught: the well-behaved shape. axios posts ``/v1/orders`` as JSON with an explicit
``Content-Type: application/json`` and a hand-built Basic header; ``identity`` is a fresh UUID v4,
``consents`` an empty list, no ``telephone``, and the address comes straight from a form (axios
drops ``undefined`` keys, so an unfilled ``line_2``/``district`` is simply absent). The route only
needs a 2xx (axios throws otherwise).
"""

from __future__ import annotations

import uuid

import requests

from tests.clients.replay import basic, catalogue, warnings


def test_json_order_with_the_header_is_created_without_warnings(sopost_mock) -> None:
    ids = catalogue(sopost_mock)
    body = {
        "activity_id": ids.activity_id,
        "full_name": "Juan Perez",
        "email": "juan@example.com",
        "provider": "SoPost-JuanInterviewTask",
        "identity": str(uuid.uuid4()),
        "line_items": [{"stock_partition_id": p} for p in ids.stock_partition_ids[:2]],
        "address": {
            "line_1": "1 Cutlery Row",
            "town": "Bath",
            "territory": "GBR",
            "postcode": "BA1 1AA",
        },
        "consents": [],
        "locale": "en_GB",
    }
    response = requests.post(
        f"{sopost_mock.url}/v1/orders",
        json=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": basic(ids.user, ids.password),
            "Accept": "application/json, text/plain, */*",  # axios' default
        },
        timeout=10,
    )
    assert 200 <= response.status_code < 300, response.text
    assert warnings(response) == []
    order = requests.get(
        f"{sopost_mock.url}/v1/orders/{response.json()['id']}",
        headers={"Authorization": basic(ids.user, ids.password)},
        timeout=10,
    )
    assert order.status_code == 200 and order.json()["status"] == "PENDING"
