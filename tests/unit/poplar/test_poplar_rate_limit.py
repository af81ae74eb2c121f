"""Per-token fixed windows on the mock clock, and the headers on every response."""

from __future__ import annotations

import pytest

from mocks.core.clock import ManualClock
from mocks.core.config import RuntimeConfig
from mocks.poplar.app import PoplarConfig, create_app
from mocks.poplar.ratelimit import RateLimit, RateLimiter, parse_rate_limit
from tests.unit.poplar.conftest import AUTH, ORDER, error

HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [
        ("100/10s", 100, 10),
        ("1000/10s", 1000, 10),
        ("60/m", 60, 60),
        ("5/1s", 5, 1),
        ("5/s", 5, 1),
        ("7/2m", 7, 120),
        ("3/h", 3, 3600),
    ],
)
def test_parse_rate_limit(text: str, limit: int, period: float) -> None:
    assert parse_rate_limit(text) == RateLimit(limit, period)


@pytest.mark.parametrize("text", ["", "abc", "0/10s", "10/0s", "10/10x", "-1/s", "9"])
def test_parse_rate_limit_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        parse_rate_limit(text)


def test_windows_are_fixed_and_reset_on_the_clock() -> None:
    clock = ManualClock(start=1000.0)
    limiter = RateLimiter(RateLimit(2, 10), clock)
    assert [limiter.hit("a")[1] for _ in range(3)] == [True, True, False]
    assert limiter.hit("b")[1]  # another key, its own window
    window = limiter.peek("a")
    assert (window.remaining, window.reset) == (0, 1010)
    clock.set(1010.0)
    assert limiter.hit("a")[1]


@pytest.fixture
def limited():
    config = PoplarConfig(runtime=RuntimeConfig(clock="manual"), rate_limit="3/10s")
    app = create_app(config, start=False)
    return app.test_client(), app.extensions["mockkit"]


def test_limit_then_429_then_reset_after_the_window(limited) -> None:
    client, mock = limited
    remaining = [
        client.get("/v1/me", headers=AUTH).headers["x-rate-limit-remaining"] for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    response = client.get("/v1/me", headers=AUTH)
    assert response.status_code == 429
    assert error(response)["title"] == "TooManyRequests"
    assert response.headers["x-rate-limit-remaining"] == "0"
    reset = int(response.headers["x-rate-limit-reset"])
    assert reset > mock.runtime.clock.now()
    other = client.get("/v1/me", headers={"Authorization": "Bearer prod_other"})
    assert other.status_code == 200  # per token
    client.post("/_mock/clock/advance", json={"seconds": reset - mock.runtime.clock.now()})
    again = client.get("/v1/me", headers=AUTH)
    assert again.status_code == 200
    assert again.headers["x-rate-limit-remaining"] == "2"


def test_429_is_journaled_as_rejected(limited) -> None:
    client, mock = limited
    for _ in range(4):
        client.post("/v1/order", json=ORDER, headers=AUTH)
    assert [e.verdict for e in mock.runtime.journal.entries(status=429)] == ["rejected"]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", "/v1/order", AUTH, 200),
        ("POST", "/v1/order", {}, 401),
        ("POST", "/v1/order", {"Authorization": "Bearer test_x"}, 403),
        ("POST", "/v1/order/none", AUTH, 404),
        ("GET", "/v1/nowhere", AUTH, 404),
        ("PUT", "/v1/order", AUTH, 405),
        ("GET", "/v1/me", AUTH, 200),
        ("GET", "/v1/audiences", AUTH, 200),
    ],
)
def test_every_response_carries_the_headers(poplar, method, path, headers, status) -> None:
    body = ORDER if path.startswith("/v1/order") else None
    response = poplar.open(path, method=method, headers=headers, json=body)
    assert response.status_code == status
    assert all(response.headers[name].isdigit() for name in HEADERS)


def test_bad_body_and_conflict_carry_the_headers(poplar) -> None:
    poplar.post("/v1/order", json=ORDER, headers=AUTH)
    for response in (
        poplar.post("/v1/order", json=ORDER, headers=AUTH),
        poplar.post("/v1/order", json={}, headers=AUTH),
    ):
        assert response.status_code in (400, 409)
        assert all(name in response.headers for name in HEADERS)


def test_injected_fault_keeps_its_own_reset_header(poplar) -> None:
    poplar.post(
        "/_mock/faults",
        json={
            "method": "POST",
            "path": "/v1/order",
            "status": 429,
            "times": 1,
            "headers": {"x-rate-limit-reset": "42"},
        },
    )
    response = poplar.post("/v1/order", json=ORDER, headers=AUTH)
    assert response.status_code == 429
    assert response.headers["x-rate-limit-reset"] == "42"
    assert response.headers["x-rate-limit-limit"] == "1000"
