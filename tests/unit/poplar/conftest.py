"""Fresh Poplar mocks per test: manual clock, no background threads, Flask test client."""

from __future__ import annotations

import pytest

from mocks.core.config import RuntimeConfig
from mocks.poplar.app import PoplarConfig, create_app

TOKEN = "prod_unit_token_0001"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ORDER = {"order_id": "A-1", "order_date": "2024-05-01", "customer_email": "Jo@Example.com"}


def error(response) -> dict:
    """Poplar's envelope, checked: exactly ``{"error": {"title", "message"}}``."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"title", "message"}, body
    return body["error"]


@pytest.fixture
def poplar_config() -> PoplarConfig:
    return PoplarConfig(runtime=RuntimeConfig(clock="manual"))


@pytest.fixture
def poplar_app(poplar_config: PoplarConfig):
    return create_app(poplar_config, start=False)


@pytest.fixture
def mock(poplar_app):
    return poplar_app.extensions["mockkit"]


@pytest.fixture
def poplar(poplar_app):
    return poplar_app.test_client()
