"""PostgreSQL away: /health says so, webhooks get 503 (SoPost resends), nothing acked is lost."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from harness.app import create_app
from harness.config import HarnessConfig
from tests.support import wait_until


def webhook(n: int) -> bytes:
    return json.dumps(
        {
            "event_id": f"{n:040x}",
            "event": "PENDING",
            "order_id": str(uuid.uuid4()),
            "activity_id": str(uuid.uuid4()),
        }
    ).encode()


@pytest.fixture
def app(pg_url: str) -> Iterator[Flask]:
    config = HarnessConfig(
        sopost_api_url="http://127.0.0.1:9/v1",  # never called: the events are left alone
        sopost_api_user="user",
        sopost_api_password="password",
        poplar_api_url="http://127.0.0.1:9/v1",
        poplar_api_token="token",
        db_path=pg_url,
        workers=1,
        poll_interval=0.05,
        db_retry_seconds=0.5,
    )
    app = create_app(config)
    app.extensions["harness"].pool.stop()  # only the receiver is under test
    yield app
    app.extensions["harness"].stop()


def post(client, body: bytes):
    return client.post("/webhooks/sopost", data=body, content_type="application/json")


def test_database_down_then_back(app: Flask, pg_cluster) -> None:
    client = app.test_client()
    assert post(client, webhook(1)).status_code == 202
    pg_cluster.stop()
    try:
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json["database"] == "postgresql"
        assert health.json["db"].startswith("StoreUnavailable")
        refused = post(client, webhook(2))
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert refused.json["error"]["title"] == "ServiceUnavailable"
    finally:
        pg_cluster.start()
    # The same pools reconnect; the event acked before the outage is still there.
    assert post(client, webhook(2)).status_code == 202
    # (workers are stopped here, so "degraded": the database part is what is checked)
    wait_until(lambda: client.get("/health").json["db"] == "ok", message="database back")
    store = app.extensions["harness"].store
    assert {store.event(f"{n:040x}")["state"] for n in (1, 2)} == {"received"}
    assert store.stats(0.0)["inbox"]["received"] == 2
