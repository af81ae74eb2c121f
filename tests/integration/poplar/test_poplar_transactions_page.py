"""The Transactions page over real HTTP: one account per visitor, rejections, CSRF-safe purge."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from mocks.core.server import LiveServer
from mocks.poplar.app import PoplarConfig, create_app
from mocks.poplar.transactions import TOKEN_COOKIE

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


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, html
    return match.group(1)


def sign_in(live: LiveServer, http: requests.Session, token: str) -> requests.Response:
    form = http.get(f"{live.url}/transactions").text
    return http.post(
        f"{live.url}/transactions/sign-in", data={"token": token, "csrf_token": csrf(form)}
    )


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

    page = sign_in(live, http, TOKEN)
    assert page.status_code == 200 and page.url.rstrip("/") == f"{live.url}/transactions"
    cookie = next(c for c in http.cookies if c.name == TOKEN_COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == "/transactions"
    html = page.text
    assert "PAGE-1" in html and "42.0" in html and "SKU-77" in html
    assert "already exists" in html  # the 409, with its reason
    assert "&#39;currency&#39; must be" in html  # the 400, escaped
    assert TOKEN not in html and "prod…9876" in html
    assert "page@example.com" not in html.lower()

    # Purge needs the typed confirmation and the form's CSRF token.
    token = csrf(html)
    refused = http.post(
        f"{live.url}/transactions/purge", data={"confirm": "yes", "csrf_token": token}
    )
    assert refused.status_code == 400
    assert "Nothing purged" in refused.text
    forged = http.post(f"{live.url}/transactions/purge", data={"confirm": "purge"})
    assert forged.status_code == 403
    assert len(http.get(f"{live.url}/_mock/orders").json()["orders"]) == 1

    purged = http.post(
        f"{live.url}/transactions/purge", data={"confirm": "purge", "csrf_token": token}
    )
    assert purged.status_code == 200 and "Purged 1 order(s)" in purged.text
    assert http.get(f"{live.url}/_mock/orders").json()["orders"] == []
    assert http.get(f"{live.url}/v1/audiences", headers=AUTH).json()[0]["member_count"] == 0


def test_a_visitor_sees_only_the_account_of_the_token_they_entered(live: LiveServer) -> None:
    other = {"Authorization": "Bearer prod_someone_else_1234"}
    requests.post(f"{live.url}/v1/order", json=ORDER, headers=AUTH, timeout=5)
    requests.post(
        f"{live.url}/v1/order", json={**ORDER, "order_id": "THEIRS"}, headers=other, timeout=5
    )
    with requests.Session() as anonymous:
        html = anonymous.get(f"{live.url}/transactions").text
        assert "PAGE-1" not in html and "THEIRS" not in html and "prod…" not in html
        # The old ways to open an account by id or token in the URL open nothing.
        account_id = requests.get(f"{live.url}/v1/me", headers=other, timeout=5).json()["id"]
        for params in ({"account": account_id}, {"token": "prod_someone_else_1234"}):
            assert "THEIRS" not in anonymous.get(f"{live.url}/transactions", params=params).text
    with requests.Session() as visitor:
        html = sign_in(live, visitor, TOKEN).text
        assert "PAGE-1" in html and "THEIRS" not in html and "prod…1234" not in html
        token = csrf(html)
        visitor.post(
            f"{live.url}/transactions/purge",
            data={"confirm": "purge", "csrf_token": token, "account": account_id},
        )
    orders = requests.get(f"{live.url}/_mock/orders", timeout=5).json()["orders"]
    assert [o["order_id"] for o in orders] == ["THEIRS"]  # only the visitor's own were purged


def test_page_is_not_an_api_request(live: LiveServer, http) -> None:
    http.get(f"{live.url}/transactions")
    assert http.get(f"{live.url}/_mock/requests").json()["requests"] == []
    assert "x-rate-limit-limit" not in http.get(f"{live.url}/transactions").headers


def test_test_token_on_the_page_is_refused(live: LiveServer, http) -> None:
    page = sign_in(live, http, "test_abc")
    assert page.status_code == 400
    assert "Mailing API" in page.text


def test_rate_limit_headers_over_http(live: LiveServer, http) -> None:
    response = http.get(f"{live.url}/v1/me", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["x-rate-limit-limit"] == "1000"
    assert response.headers["x-rate-limit-remaining"] == "999"
