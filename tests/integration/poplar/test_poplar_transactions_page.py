"""The Transactions page over real HTTP: received orders, rejected requests, purge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from mocks.core.server import LiveServer
from mocks.poplar.app import PoplarConfig, create_app

TOKEN = "prod_page_token_9876"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ORDER = {
    "order_id": "PAGE-1",
    "order_date": "2024-05-01",
    "customer_email": "Page@Example.com",
    "total": 42,
    "order_items": [{"identifier": "SKU-77", "total": 42}],
}


@pytest.fixture
def live() -> Iterator[LiveServer]:
    with LiveServer(create_app(PoplarConfig())) as server:
        yield server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_page_lists_orders_and_rejections_and_purges(live: LiveServer, http) -> None:
    api = f"{live.url}/v1/order"
    assert http.post(api, json=ORDER, headers=AUTH).status_code == 200
    assert http.post(api, json=ORDER, headers=AUTH).status_code == 409
    assert (
        http.post(
            api, json={**ORDER, "order_id": "PAGE-2", "currency": "dollars"}, headers=AUTH
        ).status_code
        == 400
    )

    # ?token= opens the token's account and redirects to its id (token out of the URL).
    page = http.get(f"{live.url}/transactions", params={"token": TOKEN})
    assert page.status_code == 200
    assert "token=" not in page.url and "account=" in page.url
    html = page.text
    assert "PAGE-1" in html and "42.0" in html and "SKU-77" in html
    assert "already exists" in html  # the 409, with its reason
    assert "&#39;currency&#39; must be" in html  # the 400, escaped
    assert TOKEN not in html and "prod…9876" in html
    assert "page@example.com" not in html.lower()
    account_id = page.url.split("account=")[1]

    # Purge needs the typed confirmation.
    refused = http.post(
        f"{live.url}/transactions/purge", data={"account": account_id, "confirm": "yes"}
    )
    assert refused.status_code == 400
    assert "Nothing purged" in refused.text
    assert len(http.get(f"{live.url}/_mock/orders").json()["orders"]) == 1

    purged = http.post(
        f"{live.url}/transactions/purge", data={"account": account_id, "confirm": "purge"}
    )
    assert purged.status_code == 200 and "Purged 1 order(s)" in purged.text
    assert http.get(f"{live.url}/_mock/orders").json()["orders"] == []
    assert http.get(f"{live.url}/v1/audiences", headers=AUTH).json()[0]["member_count"] == 0


def test_page_is_not_an_api_request(live: LiveServer, http) -> None:
    http.get(f"{live.url}/transactions")
    assert http.get(f"{live.url}/_mock/requests").json()["requests"] == []
    assert "x-rate-limit-limit" not in http.get(f"{live.url}/transactions").headers


def test_test_token_on_the_page_is_refused(live: LiveServer, http) -> None:
    page = http.get(f"{live.url}/transactions", params={"token": "test_abc"})
    assert page.status_code == 400
    assert "Mailing API" in page.text


def test_rate_limit_headers_over_http(live: LiveServer, http) -> None:
    response = http.get(f"{live.url}/v1/me", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["x-rate-limit-limit"] == "1000"
    assert response.headers["x-rate-limit-remaining"] == "999"
