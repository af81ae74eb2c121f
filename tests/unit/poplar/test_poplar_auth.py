"""Bearer tokens: 401 without a usable one, 403 for test tokens, one account per token."""

from __future__ import annotations

import uuid

import pytest

from mocks.poplar.app import PoplarConfig, create_app
from tests.unit.poplar.conftest import AUTH, ORDER, error


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer a b",
        "abc",
    ],
)
@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/me"), ("POST", "/v1/order"), ("DELETE", "/v1/order/A-1")]
)
def test_missing_or_malformed_authorization_is_401(poplar, header, method, path) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = poplar.open(path, method=method, headers=headers, json=ORDER)
    assert response.status_code == 401
    assert error(response)["title"] == "Unauthorized"
    assert "Authorization: Bearer" in error(response)["message"]


@pytest.mark.parametrize("token", ["test", "test_abc", "testing123"])
def test_test_tokens_are_403(poplar, token: str) -> None:
    response = poplar.post("/v1/order", json=ORDER, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert error(response)["title"] == "Forbidden"
    assert "Mailing API" in error(response)["message"]


def test_bearer_scheme_is_case_insensitive(poplar) -> None:
    assert poplar.get("/v1/me", headers={"Authorization": "bearer prod_x"}).status_code == 200


def test_me_is_deterministic_per_token(poplar) -> None:
    first = poplar.get("/v1/me", headers=AUTH).get_json()
    assert first["mode"] == "production"
    uuid.UUID(first["id"])
    again = create_app(PoplarConfig(), start=False).test_client().get("/v1/me", headers=AUTH)
    assert again.get_json() == first
    other = poplar.get("/v1/me", headers={"Authorization": "Bearer prod_other"}).get_json()
    assert other["id"] != first["id"]


def test_tokens_config_restricts_the_list() -> None:
    client = create_app(PoplarConfig(tokens=("prod_a", "prod_b")), start=False).test_client()
    assert client.get("/v1/me", headers={"Authorization": "Bearer prod_a"}).status_code == 200
    assert client.get("/v1/me", headers={"Authorization": "Bearer prod_b"}).status_code == 200
    response = client.get("/v1/me", headers={"Authorization": "Bearer prod_c"})
    assert response.status_code == 401
    assert "--tokens" in error(response)["message"]


def test_data_is_isolated_per_token(poplar) -> None:
    poplar.post("/v1/order", json=ORDER, headers=AUTH)
    other = {"Authorization": "Bearer prod_other"}
    assert poplar.get("/v1/audiences", headers=other).get_json() == []
    assert poplar.get("/v1/audiences", headers=AUTH).get_json()[0]["member_count"] == 2
