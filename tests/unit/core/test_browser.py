"""Host check and cross-site write rules, as a browser would exercise them."""

from __future__ import annotations

import pytest

from mocks.core.browser import HostGuard, cross_site_reason


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8080", True),
        ("localhost:8080", True),
        ("LOCALHOST", True),
        ("[::1]:8080", True),
        ("127.0.0.2:8080", True),
        ("mock.test:8080", True),  # a --host alias
        (None, True),
        ("attacker.example:8080", False),
        ("attacker.example", False),
        ("localhost.attacker.example:8080", False),
        ("127.0.0.1.nip.io:8080", False),
        ("localhost.:8080", False),
        ("10.0.0.5:8080", False),
        ("[::ffff:10.0.0.5]:8080", False),
    ],
)
def test_host_check(host: str | None, allowed: bool) -> None:
    assert HostGuard("127.0.0.1", aliases=["mock.test"]).allows(host) is allowed


def test_a_wildcard_bind_serves_ip_literals_but_not_other_names() -> None:
    guard = HostGuard("0.0.0.0")
    assert guard.allows("192.168.1.20:8080")
    assert not guard.allows("attacker.example:8080")


def test_a_kept_verdict_is_the_same_and_a_flood_of_names_stays_bounded() -> None:
    guard = HostGuard("127.0.0.1")
    assert [guard.allows("attacker.example") for _ in range(3)] == [False] * 3
    assert [guard.allows("localhost:8080") for _ in range(3)] == [True] * 3
    for number in range(5000):
        assert guard.allows(f"name{number}.example") is False
    assert guard._decide.cache_info().currsize <= 256
    assert guard.allows("localhost:8080") and not guard.allows("attacker.example")


def test_the_refusal_says_how_to_add_a_name() -> None:
    assert "--host" in HostGuard().refusal("attacker.example:8080")


@pytest.mark.parametrize(
    ("method", "headers", "control", "refused"),
    [
        # What curl, requests and SDKs send: no Origin.
        ("POST", {}, True, False),
        ("POST", {"Content-Type": "application/json"}, True, False),
        ("DELETE", {}, True, False),
        # What a hostile page can send without a preflight.
        ("POST", {"Content-Type": "text/plain"}, True, True),
        ("POST", {"Content-Type": "application/x-www-form-urlencoded"}, True, True),
        ("POST", {"Content-Type": "multipart/form-data; boundary=x"}, True, True),
        ("POST", {"Origin": "http://attacker.example", "Host": "127.0.0.1:8080"}, False, True),
        ("POST", {"Origin": "null", "Host": "127.0.0.1:8080"}, True, True),
        ("POST", {"Origin": "http://127.0.0.1:9999", "Host": "127.0.0.1:8080"}, True, True),
        ("POST", {"Sec-Fetch-Site": "cross-site"}, False, True),
        ("POST", {"Sec-Fetch-Site": "same-site"}, True, True),
        # The mock's own pages.
        (
            "POST",
            {
                "Origin": "http://127.0.0.1:8080",
                "Host": "127.0.0.1:8080",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            True,
            False,
        ),
        ("POST", {"Origin": "http://localhost", "Host": "localhost:80"}, True, False),
        ("POST", {"Sec-Fetch-Site": "same-origin"}, False, False),
        # Vendor routes keep their content types (SoPost takes JSON sent as text/plain).
        ("POST", {"Content-Type": "text/plain"}, False, False),
        # Reads are never refused.
        ("GET", {"Origin": "http://attacker.example"}, True, False),
    ],
)
def test_cross_site_writes(method: str, headers: dict, control: bool, refused: bool) -> None:
    assert (cross_site_reason(method, headers, control=control) is not None) is refused
