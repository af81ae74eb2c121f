"""The harness against the project's own SoPost and Poplar mocks, over real HTTP.

The fakes in harness_testkit pin down failure handling; this checks the harness and the mocks
agree on the real wire format (webhook signing, ``/v1`` paths, Basic and Bearer auth, the
OrderEvent and Order bodies, Poplar's validation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from harness.app import create_app
from harness.config import HarnessConfig
from mocks.core.server import free_port
from tests.integration.harness.harness_testkit import Served
from tests.support import wait_until

sopost_app = pytest.importorskip("mocks.sopost.app")
poplar_app = pytest.importorskip("mocks.poplar.app")
fixtures = pytest.importorskip("mocks.sopost.fixtures")
server = pytest.importorskip("mocks.core.server")
runtime = pytest.importorskip("mocks.core.runtime")

POPLAR_TOKEN = "harness-e2e-production-token"


@pytest.fixture
def mocks_and_harness(tmp_path) -> Iterator[dict[str, Any]]:
    manual = runtime.RuntimeConfig(clock="manual")
    sopost = server.LiveServer(sopost_app.create_app(sopost_app.SoPostConfig(runtime=manual)))
    poplar = server.LiveServer(poplar_app.create_app(poplar_app.PoplarConfig()))
    with sopost, poplar:
        port = free_port()
        subscription = requests.post(
            f"{sopost.url}/v1/webhooks",
            json={
                "url": f"http://127.0.0.1:{port}/webhooks/sopost",
                "events": ["OrderEvent"],
                "entity_type": "Organisation",
                "entity_id": fixtures.GUIDE.organisation,
            },
            timeout=5,
        )
        assert subscription.status_code == 201, subscription.text
        user, password = fixtures.CREDENTIALS[fixtures.GUIDE.organisation]
        config = HarnessConfig(
            sopost_api_url=f"{sopost.url}/v1",
            sopost_api_user=user,
            sopost_api_password=password,
            sopost_webhook_secret=subscription.json()["secret"],
            poplar_api_url=f"{poplar.url}/v1",
            poplar_api_token=POPLAR_TOKEN,
            db_path=str(tmp_path / "e2e.db"),
            workers=2,
            backoff_base=0.01,
            backoff_cap=0.05,
            poll_interval=0.02,
        )
        app = create_app(config)
        harness = Served(app, port)
        try:
            yield {"sopost": sopost.url, "poplar": poplar.url, "harness": harness.url, "app": app}
        finally:
            app.extensions["harness"].stop()
            harness.close()


def poplar_orders(base: str) -> dict[str, dict[str, Any]]:
    orders = requests.get(f"{base}/_mock/orders", timeout=5).json()["orders"]
    return {order["order_id"]: order for order in orders}


def test_approved_order_with_consent_reaches_the_poplar_mock_once(mocks_and_harness) -> None:
    urls = mocks_and_harness
    status = urls["app"].extensions["harness"].status
    created = requests.post(
        f"{urls['sopost']}/_mock/orders", json={"outcome": "APPROVED"}, timeout=5
    )
    assert created.status_code == 201, created.text
    no_consent = requests.post(
        f"{urls['sopost']}/_mock/orders", json={"outcome": "APPROVED", "consents": []}, timeout=5
    )
    assert no_consent.status_code == 201, no_consent.text
    order, skipped = created.json(), no_consent.json()
    # PENDING webhooks arrive at once; approval comes after the filtering delay.
    wait_until(lambda: status()["skipped_by_reason"].get("pending") == 2, message="PENDING events")
    requests.post(f"{urls['sopost']}/_mock/clock/advance", json={"seconds": 3}, timeout=5)

    forwarded = wait_until(lambda: poplar_orders(urls["poplar"]).get(order["id"]), timeout=15)
    assert forwarded["order_id"] == order["id"]
    wait_until(lambda: status()["skipped_by_reason"].get("no_consent") == 1, message="no_consent")
    assert skipped["id"] not in poplar_orders(urls["poplar"])
    assert status()["forwarded"] == 1
    assert status()["dead_letters"] == 0
