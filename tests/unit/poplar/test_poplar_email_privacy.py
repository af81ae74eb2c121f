"""``customer_email`` is hashed and dropped: never in state, journal, logs, pages or errors."""

from __future__ import annotations

import logging

import pytest

from mocks.core.config import RuntimeConfig
from mocks.poplar.app import PoplarConfig, create_app
from tests.unit.poplar.conftest import AUTH, ORDER

EMAIL = "Secret.Person@Example.com"


def _everything(app) -> str:
    """Every place the mock could keep or show the email, as one string."""
    client = app.test_client()
    mock = app.extensions["mockkit"]
    parts = [
        repr(mock.state.accounts()),
        repr([a.orders for a in mock.state.accounts()]),
        repr([e.to_dict() for e in mock.runtime.journal.entries()]),
        client.get("/_mock/requests").get_data(as_text=True),
        client.get("/_mock/orders").get_data(as_text=True),
        client.get("/_mock/audience").get_data(as_text=True),
        client.get("/transactions").get_data(as_text=True),
    ]
    return "\n".join(parts).lower()


@pytest.fixture
def logged_app():
    return create_app(
        PoplarConfig(runtime=RuntimeConfig(clock="manual", log_requests=True)), start=False
    )


def test_email_never_kept_or_shown(logged_app, caplog) -> None:
    client = logged_app.test_client()
    caplog.set_level(logging.DEBUG)
    bodies = [
        {**ORDER, "customer_email": EMAIL},  # accepted
        {**ORDER, "order_id": "A-2", "customer_email": EMAIL, "currency": "x"},  # invalid
        {**ORDER, "customer_email": EMAIL},  # 409
        {**ORDER, "order_id": "A-3", "customer_email": EMAIL + "@"},  # assumed rule: a warning
        [{"customer_email": EMAIL}],  # not an object
    ]
    responses = [client.post("/v1/order", json=b, headers=AUTH) for b in bodies]
    assert [r.status_code for r in responses] == [200, 400, 409, 200, 400]
    assert EMAIL.lower() not in " ".join(responses[3].headers.getlist("X-Mockkit-Warning")).lower()
    edit = client.post("/v1/order/A-1", json={**ORDER, "customer_email": EMAIL}, headers=AUTH)
    assert edit.status_code == 200
    assert EMAIL.lower() not in edit.get_data(as_text=True).lower()
    assert EMAIL.lower() not in _everything(logged_app)
    assert EMAIL.lower() not in caplog.text.lower()


def test_journal_shows_the_field_was_sent_but_redacted(poplar, mock) -> None:
    poplar.post("/v1/order", json={**ORDER, "customer_email": EMAIL}, headers=AUTH)
    body = mock.runtime.journal.entries()[-1].body
    assert body["customer_email"] == "[redacted]"
    assert body["order_id"] == "A-1"
