"""Every harness answer is JSON, including unknown routes, wrong methods and huge bodies."""

from __future__ import annotations

import pytest

from harness.app import create_app
from harness.config import HarnessConfig


@pytest.fixture
def client(tmp_path):
    app = create_app(
        HarnessConfig(
            "http://127.0.0.1:9/v1",
            "user",
            "password",
            "http://127.0.0.1:9/v1",
            "token",
            db_path=str(tmp_path / "inbox.db"),
        )
    )
    yield app.test_client()
    app.extensions["harness"].stop()


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "title"),
    [
        ("get", "/nowhere", {}, 404, "NotFound"),
        ("put", "/webhooks/sopost", {}, 405, "MethodNotAllowed"),
        (
            "post",
            "/webhooks/sopost",
            {"data": b"{" * 70_000, "content_type": "application/json"},
            413,
            "RequestEntityTooLarge",
        ),
    ],
)
def test_http_errors_are_json(client, method, path, kwargs, status, title) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"]["title"] == title
