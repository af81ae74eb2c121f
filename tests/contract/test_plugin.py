"""The pytest plugin, exercised the way users run it: a fresh pytest session per case."""

from __future__ import annotations

pytest_plugins = ["pytester"]

RESET_BETWEEN_TESTS = """
def test_first(sopost_mock, poplar_mock):
    assert sopost_mock.health()["vendor"] == "sopost"
    assert poplar_mock.url.startswith("http://127.0.0.1:")
    order = sopost_mock.create_order(outcome="APPROVED", consents=[])
    assert sopost_mock.transition(order["id"], "REJECTED")["status"] == "REJECTED"
    sopost_mock.add_fault(method="GET", path="/v1/orders/*", status=503)
    poplar_mock.add_fault(method="POST", path="/v1/order", status=500)

def test_second_sees_fresh_mocks(sopost_mock, poplar_mock):
    assert sopost_mock.faults() == [] and poplar_mock.faults() == []
    assert sopost_mock.deliveries() == []
    assert poplar_mock.orders() == []

def test_clock_is_real_so_advancing_is_refused(sopost_mock):
    import pytest
    from contracts.client import ControlError
    with pytest.raises(ControlError, match="409"):
        sopost_mock.advance_clock(5)
"""

ENV_CONTRACT = """
import requests

def test_env(mockkit_env, sopost_mock, poplar_mock):
    for name in ("PORT", "SOPOST_API_URL", "SOPOST_API_USER", "SOPOST_API_PASSWORD",
                 "SOPOST_WEBHOOK_SECRET", "POPLAR_API_URL", "POPLAR_API_TOKEN"):
        assert mockkit_env[name], name
    assert mockkit_env["SOPOST_API_URL"] == sopost_mock.url + "/v1"
    assert mockkit_env["POPLAR_API_URL"] == poplar_mock.url + "/v1"
    assert mockkit_env["SOPOST_WEBHOOK_SECRET"].startswith("whsec_")
    auth = (mockkit_env["SOPOST_API_USER"], mockkit_env["SOPOST_API_PASSWORD"])
    hooks = requests.get(mockkit_env["SOPOST_API_URL"] + "/webhooks", auth=auth).json()
    assert [h["url"] for h in hooks] == [
        f"http://127.0.0.1:{mockkit_env['PORT']}/webhooks/sopost"]

def test_users_conftest_names_do_not_clash(sopost, sopost_mock):
    assert sopost == 'mine' and sopost_mock.url
"""

# The README's example: a user's contract test for their own integration.
USER_CONTRACT_TEST = """
import subprocess, sys

def test_approved_order_reaches_poplar(sopost_mock, poplar_mock, mockkit_env, tmp_path):
    env = {**mockkit_env, "HARNESS_DB": str(tmp_path / "inbox.db")}
    app = subprocess.Popen([sys.executable, "-m", "harness"], env=env)
    try:
        order = sopost_mock.create_order(outcome="APPROVED")
        sopost_mock.wait_for_delivery(order["id"], event="APPROVED", timeout=30)
        stored = poplar_mock.wait_for_order(order["id"], timeout=20)
        assert stored["order_id"] == order["id"]
        assert poplar_mock.requests(verdict="invalid") == []
    finally:
        app.terminate()
        app.wait(10)
"""

# The wait helpers fail a test with a plain message when the condition never holds.
WAITS_TIME_OUT = """
import pytest
from contracts.client import WaitTimeout

def test_waits_give_up(sopost_mock, poplar_mock):
    order = sopost_mock.create_order(outcome="PENDING", consents=[])
    with pytest.raises(WaitTimeout, match="reaching Poplar did not happen within 0.3 s"):
        poplar_mock.wait_for_order(order["id"], timeout=0.3)
    with pytest.raises(WaitTimeout, match="APPROVED"):
        sopost_mock.wait_for_delivery(order["id"], event="APPROVED", status="blocked", timeout=0.3)
"""


def test_mocks_are_reset_before_each_test(pytester) -> None:
    pytester.makepyfile(RESET_BETWEEN_TESTS)
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_mockkit_env_is_the_integration_contract(pytester) -> None:
    pytester.makeconftest("import pytest\n\n@pytest.fixture\ndef sopost():\n    return 'mine'\n")
    pytester.makepyfile(ENV_CONTRACT)
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_users_contract_test_is_a_few_lines(pytester) -> None:
    pytester.makepyfile(USER_CONTRACT_TEST)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


# An exception inside a mock (here a scheduled job) fails the test that caused it, not the next.
MOCK_RAISES = """
from contracts.client import poll

def test_a_job_inside_the_mock_raises(sopost_mock, mockkit_mocks):
    runtime = mockkit_mocks.apps[0].extensions["mockkit"].runtime
    runtime.scheduler.call_later(0, lambda: 1 / 0, label="broken job")
    poll(lambda: len(runtime.failures), 5, "the job's failure")

def test_the_next_test_is_not_blamed(sopost_mock):
    assert sopost_mock.health()
"""


def test_an_error_inside_a_mock_fails_the_test_at_teardown(pytester) -> None:
    pytester.makepyfile(MOCK_RAISES)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_a_job_inside_the_mock_raises*"])
    assert "ZeroDivisionError" in result.stdout.str()
    assert "scheduled job 'broken job' failed" in result.stdout.str()


def test_wait_helpers_time_out_with_a_message(pytester) -> None:
    pytester.makepyfile(WAITS_TIME_OUT)
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    from importlib.metadata import entry_points

    found = [e for e in entry_points(group="pytest11") if e.name == "mockkit"]
    assert [e.value for e in found] == ["contracts.pytest_plugin"]
