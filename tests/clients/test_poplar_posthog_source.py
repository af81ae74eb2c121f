"""Replay: PostHog's Poplar warehouse source (``products/warehouse_sources/.../poplar``, a
declarative REST source; found with find_string on ``api.heypoplar.com``).

What it taught: what a data connector reads and how it explains a refused token. It reads
``GET /v1/audiences`` as a bare array keyed by ``id``, and ``campaigns``,
``campaign/{campaign_id}/creatives``, ``campaign/{campaign_id}/mailings`` (paged by 100) and
``stats/campaigns`` (records under ``campaigns``, paged by 30). Its error text says test tokens
"can only send mailings, so they cannot read data": a test token is refused (403).
"""

from __future__ import annotations

import pytest
import requests


def _get(poplar_mock, path: str, token: str = "prod-posthog-source", **params) -> requests.Response:
    return requests.get(
        f"{poplar_mock.url}/v1/{path}",
        headers={"Authorization": f"Bearer {token}"},
        params=params,
        timeout=10,
    )


def test_audiences_are_a_bare_array_keyed_by_id(poplar_mock) -> None:
    token = "prod-posthog-source"
    order = {"order_id": "ph-1", "order_date": "2024-05-01", "customer_email": "a@example.com"}
    submitted = requests.post(
        f"{poplar_mock.url}/v1/order",
        json=order,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert submitted.status_code == 200
    audiences = _get(poplar_mock, "audiences", token).json()
    assert isinstance(audiences, list) and audiences
    assert all(isinstance(a["id"], str) and a["id"] for a in audiences)


def test_a_test_token_cannot_read_data(poplar_mock) -> None:
    assert _get(poplar_mock, "audiences", token="test_abc").status_code == 403


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("campaigns", {}),
        ("campaign/cmp_1/creatives", {}),
        ("campaign/cmp_1/mailings", {"page": 1, "per_page": 100}),
        ("stats/campaigns", {"page": 1, "per_page": 30}),
    ],
)
def test_unmodelled_streams_answer_501(poplar_mock, path, params) -> None:
    response = _get(poplar_mock, path, **params)
    assert response.status_code == 501
    assert response.json()["error"]["title"]
