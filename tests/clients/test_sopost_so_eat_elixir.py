"""Replay: alexwolf47/so_eat, ``lib/so_eat/sopost_api.ex`` and ``api_controller.ex`` (Phoenix,
HTTPoison).

What it taught: the catalogue's shape and hackney's binary body. It reads
``GET /v1/activities/{id}/products`` as ``[{name, skus: [{name, stock_partitions: [{id,
remaining}]}]}]`` and compares ``remaining > 0``, so ``remaining`` must be a number. It posts a
``Jason.encode!`` string with only the Basic header; hackney labels a binary body
``application/octet-stream``. Its ``identity`` is a Base64 SHA-256 (44 characters with ``+``,
``/`` and ``=``), ``line_2`` is always ``""``, ``provider`` is ``SoEat-<activity uuid>``. It
passes the decoded answer through, so the answer must be JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json

import requests

from tests.clients.replay import HACKNEY_BINARY, basic, catalogue, warnings


def test_products_have_skus_with_numeric_remaining_stock(sopost_mock) -> None:
    ids = catalogue(sopost_mock)
    response = requests.get(
        f"{sopost_mock.url}/v1/activities/{ids.activity_id}/products",
        headers={"Authorization": basic(ids.user, ids.password)},
        timeout=10,
    )
    assert response.status_code == 200
    partitions = [
        partition
        for product in response.json()
        for sku in product["skus"]
        for partition in sku["stock_partitions"]
        if isinstance(product["name"], str) and isinstance(sku["name"], str)
    ]
    assert {p["id"] for p in partitions} >= set(ids.stock_partition_ids)
    assert all(isinstance(p["remaining"], int) for p in partitions)


def test_octet_stream_json_order_is_accepted_with_a_warning(sopost_mock) -> None:
    ids = catalogue(sopost_mock)
    email = "sam.eater@example.com"
    identity = base64.b64encode(hashlib.sha256(f"127.0.0.1{email}".encode()).digest()).decode()
    body = {
        "activity_id": ids.activity_id,
        "address": {
            "line_1": "7 Spoon Street",
            "line_2": "",
            "town": "Bristol",
            "district": "Avon",
            "territory": "GBR",
            "postcode": "BS1 5TR",
        },
        "full_name": "Sam Eater",
        "email": email,
        "provider": f"SoEat-{ids.activity_id}",
        "identity": identity,
        "line_items": [{"stock_partition_id": ids.stock_partition_ids[0]}],
        "consents": [],
        "locale": "en_GB",
    }
    response = requests.post(
        f"{sopost_mock.url}/v1/orders",
        data=json.dumps(body).encode(),
        headers={"Authorization": basic(ids.user, ids.password), "Content-Type": HACKNEY_BINARY},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    assert isinstance(response.json()["id"], str)
    assert any("Content-Type" in w for w in warnings(response))
