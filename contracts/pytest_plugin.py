"""pytest plugin (entry point ``pytest11: mockkit``): the SoPost and Poplar mocks as fixtures.

One pair of live servers per session (started on first use, on free ports, fast schedules);
every test that asks for them gets them reset first, like pytest-httpserver.

    def test_forwards(sopost_mock, poplar_mock, mockkit_env): ...

``sopost_mock`` / ``poplar_mock`` have ``.url`` and the typed control client's methods
(``create_order``, ``transition``, ``advance_clock``, ``deliveries``, ``requests``,
``add_fault``, ``wait_for_delivery``, ``wait_for_order``...). An exception raised inside a
mock while a test runs fails that test at teardown, with its traceback (``mockkit_failures``).
``mockkit_env`` is the environment an integration under test gets (``PORT``, ``SOPOST_*``,
``POPLAR_*``), with a webhook subscription to ``http://127.0.0.1:$PORT/webhooks/sopost``
already made.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.client import PoplarControl, SoPostControl
from contracts.servers import MockPair, free_port

__all__ = ["mockkit_env", "mockkit_failures", "mockkit_mocks", "poplar_mock", "sopost_mock"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockkit", "SoPost and Poplar mocks")
    group.addoption("--mockkit-seed", type=int, default=0, help="Seed of the mocks' data.")
    group.addoption(
        "--mockkit-strict",
        action="store_true",
        help="Mocks reject (vendor's 400) requests that break an assumed rule, instead of "
        "answering them with an X-Mockkit-Warning.",
    )
    group.addoption(
        "--mockkit-webhook-path",
        default="/webhooks/sopost",
        help="Webhook path the mockkit_env subscription points at.",
    )


@pytest.fixture(scope="session")
def mockkit_mocks(pytestconfig: pytest.Config) -> Iterator[MockPair]:
    """Both mocks for the whole session (use the function-scoped fixtures in tests)."""
    seed = pytestconfig.getoption("--mockkit-seed")
    with MockPair(seed=seed, strict=pytestconfig.getoption("--mockkit-strict")) as mocks:
        yield mocks


@pytest.fixture
def mockkit_failures(mockkit_mocks: MockPair) -> Iterator[None]:
    """Fails the test at teardown when a mock raised meanwhile (a handler, a scheduled job,
    the webhook dispatcher), with the traceback: such errors are only logged otherwise."""
    mockkit_mocks.failures()  # whatever an earlier test left is not this test's
    yield
    found = mockkit_mocks.failures()
    if found:
        pytest.fail("an error was raised inside a mock:\n\n" + "\n".join(found), pytrace=False)


@pytest.fixture
def sopost_mock(mockkit_mocks: MockPair, mockkit_failures: None) -> SoPostControl:
    """The SoPost mock, reset: ``.url`` plus its control API."""
    mockkit_mocks.sopost.reset()
    return mockkit_mocks.sopost


@pytest.fixture
def poplar_mock(mockkit_mocks: MockPair, mockkit_failures: None) -> PoplarControl:
    """The Poplar mock, reset: ``.url`` plus its control API."""
    mockkit_mocks.poplar.reset()
    return mockkit_mocks.poplar


@pytest.fixture
def mockkit_env(
    sopost_mock: SoPostControl,
    poplar_mock: PoplarControl,
    mockkit_mocks: MockPair,
    pytestconfig: pytest.Config,
) -> dict[str, str]:
    """The integration's environment, with a fresh webhook subscription to its PORT."""
    port = free_port()
    path = pytestconfig.getoption("--mockkit-webhook-path")
    subscription = mockkit_mocks.subscribe(f"http://127.0.0.1:{port}{path}")
    env = mockkit_mocks.env(port, subscription.secret)
    env["MOCKKIT_WEBHOOK_URL"] = subscription.url
    return env
