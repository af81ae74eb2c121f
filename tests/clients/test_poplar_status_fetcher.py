"""Replay: a public ``tools/fetch_poplar_status.py`` (stdlib ``urllib``; found with find_string
on ``api.heypoplar.com``), which summarises mailings per campaign.

What it taught: what a client does with an error body. It sends Bearer auth, a custom
``User-Agent`` and ``Accept: application/json`` to ``GET /v1/campaigns`` and
``GET /v1/campaign/{id}/mailings?per_page=100&page=N&start_date=...&end_date=...``, reads
``X-Total-Pages``, and on an HTTP error reads the body as text (on a 429 as JSON, for a
``retry_after`` it then defaults). So every error, the injected 429 included, must be JSON, and
a real path outside the mock must not look like a typo.
"""

from __future__ import annotations

import json

import requests

HEADERS = {
    "Authorization": "Bearer prod-status-fetcher",
    "User-Agent": "Mozilla/5.0 (compatible; DigbiCampaignStatusAgent/1.0)",
    "Accept": "application/json",
}


def test_a_429_is_json_with_the_reset_header(poplar_mock) -> None:
    poplar_mock.add_fault(method="GET", path="/v1/audiences", status=429, times=1)
    response = requests.get(f"{poplar_mock.url}/v1/audiences", headers=HEADERS, timeout=10)
    assert response.status_code == 429
    detail = json.loads(response.text)
    assert detail["error"]["title"] and "x-rate-limit-reset" in response.headers


def test_campaign_listing_answers_501_in_the_envelope(poplar_mock) -> None:
    response = requests.get(f"{poplar_mock.url}/v1/campaigns", headers=HEADERS, timeout=10)
    assert response.status_code == 501
    assert "README" in json.loads(response.text)["error"]["message"]
