"""Credentials map to organisations; faults shape responses; the journal records it all."""

from __future__ import annotations

import time

import pytest
import requests

from mocks.core.server import LiveServer
from mocks.sopost.app import SoPostConfig, create_app
from mocks.sopost.fixtures import CREDENTIALS, GUIDE, OTHER_ORGANISATION_ID

GUIDE_AUTH = CREDENTIALS[GUIDE.organisation]
OTHER_AUTH = CREDENTIALS[OTHER_ORGANISATION_ID]
ORDER_PATH = f"/v1/orders/{GUIDE.order}"


def test_credentials_pick_the_organisation_and_hide_foreign_orders(sopost_live) -> None:
    base = sopost_live.url
    assert requests.get(base + ORDER_PATH, auth=GUIDE_AUTH, timeout=5).status_code == 200
    foreign = requests.get(base + ORDER_PATH, auth=OTHER_AUTH, timeout=5)
    unknown = requests.get(
        base + "/v1/orders/00000000-0000-4000-8000-000000000000", auth=OTHER_AUTH, timeout=5
    )
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["error"]["code"] == unknown.json()["error"]["code"]
    organisations = requests.get(f"{base}/v1/organisations", auth=OTHER_AUTH, timeout=5).json()
    assert [o["id"] for o in organisations] == [OTHER_ORGANISATION_ID]


def test_wrong_credentials_are_always_401(sopost_live) -> None:
    response = requests.get(sopost_live.url + ORDER_PATH, auth=("nobody", "nothing"), timeout=5)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    bearer = requests.get(
        sopost_live.url + ORDER_PATH, headers={"Authorization": "Bearer abc"}, timeout=5
    )
    assert bearer.status_code == 401 and "Basic" in bearer.json()["error"]["message"]


def test_require_auth_refuses_anonymous_calls_with_a_hint() -> None:
    with LiveServer(create_app(SoPostConfig(require_auth=True))) as server:
        anonymous = requests.get(server.url + ORDER_PATH, timeout=5)
        assert anonymous.status_code == 401
        assert "HTTP Basic" in anonymous.json()["error"]["message"]
        assert requests.get(server.url + ORDER_PATH, auth=GUIDE_AUTH, timeout=5).ok


def test_status_fault_for_n_requests_then_recovers(sopost_live) -> None:
    base = sopost_live.url
    rule = requests.post(
        f"{base}/_mock/faults",
        json={"method": "GET", "path": "/v1/orders/*", "status": 503, "times": 2},
        timeout=5,
    )
    assert rule.status_code == 201
    statuses = [requests.get(base + ORDER_PATH, timeout=5).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    verdicts = [
        e["verdict"]
        for e in requests.get(
            f"{base}/_mock/requests", params={"path": "/v1/orders"}, timeout=5
        ).json()["requests"]
    ]
    assert verdicts == ["fault", "fault", "valid"]


def test_latency_fault_delays_the_answer(sopost_live) -> None:
    base = sopost_live.url
    requests.post(
        f"{base}/_mock/faults", json={"path": ORDER_PATH, "latency_ms": 300, "times": 1}, timeout=5
    )
    started = time.monotonic()
    assert requests.get(base + ORDER_PATH, timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_drop_fault_breaks_the_connection(sopost_live) -> None:
    base = sopost_live.url
    requests.post(
        f"{base}/_mock/faults", json={"path": ORDER_PATH, "drop": True, "times": 1}, timeout=5
    )
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(base + ORDER_PATH, timeout=5)
    assert requests.get(base + ORDER_PATH, timeout=5).status_code == 200
    journal = requests.get(f"{base}/_mock/requests", params={"path": ORDER_PATH}, timeout=5).json()[
        "requests"
    ]
    assert [(e["status"], e["verdict"]) for e in journal] == [(0, "fault"), (200, "valid")]


def test_faults_can_be_listed_and_removed(sopost_live) -> None:
    base = sopost_live.url
    rule = requests.post(f"{base}/_mock/faults", json={"status": 500}, timeout=5).json()
    assert [f["id"] for f in requests.get(f"{base}/_mock/faults", timeout=5).json()["faults"]] == [
        rule["id"]
    ]
    assert requests.delete(f"{base}/_mock/faults/{rule['id']}", timeout=5).status_code == 204
    assert requests.delete(f"{base}/_mock/faults/{rule['id']}", timeout=5).status_code == 404
    assert requests.get(base + ORDER_PATH, timeout=5).status_code == 200


def test_reset_restores_fixtures_and_clears_everything(sopost_live) -> None:
    base = sopost_live.url
    created = requests.post(f"{base}/_mock/orders", json={}, timeout=5).json()
    requests.post(f"{base}/_mock/faults", json={"path": "/nothing", "status": 500}, timeout=5)
    assert requests.post(f"{base}/_mock/reset", timeout=5).json() == {"status": "reset"}
    assert requests.get(f"{base}/orders/{created['id']}", timeout=5).status_code == 404
    assert requests.get(f"{base}/_mock/faults", timeout=5).json()["faults"] == []
    again = requests.post(f"{base}/_mock/orders", json={}, timeout=5).json()
    assert again["id"] == created["id"]  # same seed, same ids after a reset
