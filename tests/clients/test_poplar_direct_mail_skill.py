"""Replay: the public ``poplar-direct-mail`` agent skill's scripts (``test_connection.py`` and
``send_mailing.py``, Python ``requests``; found with find_string on ``api.heypoplar.com``).

What it taught: how a token is checked, and that real clients call paths we do not model. It
sends ``Authorization: Bearer <token>`` and ``Accept: application/json``, calls ``GET /v1/me``
(``raise_for_status``, then reads ``name`` and ``id``), lists ``GET /v1/campaigns`` and
``GET /v1/campaign/{id}/creatives``, and sends ``POST /v1/mailing`` as JSON. Campaigns,
creatives and mailings exist on the real API but are outside the mock: they must say so (501),
not claim the path is wrong (404).
"""

from __future__ import annotations

import pytest
import requests

TOKEN = "prod-direct-mail-skill"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}


def test_me_names_the_account(poplar_mock) -> None:
    response = requests.get(f"{poplar_mock.url}/v1/me", headers=HEADERS, timeout=10)
    response.raise_for_status()
    account = response.json()
    assert isinstance(account["name"], str) and account["name"]
    assert isinstance(account["id"], str) and account["id"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/campaigns", None),
        ("GET", "/v1/campaign/cmp_1/creatives", None),
        (
            "POST",
            "/v1/mailing",
            {
                "campaign_id": "cmp_1",
                "recipient": {
                    "address_1": "123 Main St",
                    "city": "San Francisco",
                    "state": "CA",
                    "postal_code": "94102",
                    "first_name": "John",
                    "last_name": "Doe",
                },
            },
        ),
    ],
)
def test_real_but_unmodelled_paths_answer_501(poplar_mock, method, path, body) -> None:
    response = requests.request(
        method, f"{poplar_mock.url}{path}", headers=HEADERS, json=body, timeout=10
    )
    assert response.status_code == 501
    assert set(response.json()["error"]) >= {"title", "message"}
