"""harness.config.HarnessConfig.from_env."""

from __future__ import annotations

import base64

import pytest

from harness.config import ConfigError, HarnessConfig

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
BASE = {
    "SOPOST_API_URL": "http://127.0.0.1:8080/v1/",
    "SOPOST_API_USER": "user",
    "SOPOST_API_PASSWORD": "pass",
    "POPLAR_API_URL": "http://127.0.0.1:8081/v1",
    "POPLAR_API_TOKEN": "token",
}


def test_defaults() -> None:
    config = HarnessConfig.from_env(BASE)
    assert config.sopost_api_url == "http://127.0.0.1:8080/v1"
    assert (config.host, config.port, config.db_path) == ("127.0.0.1", 8082, "harness.db")
    assert config.max_attempts == 8
    assert config.data_handlers == frozenset({"sopost"})
    assert config.consent_ids == frozenset()
    assert config.sopost_webhook_secret is None


def test_every_variable_is_read() -> None:
    env = {
        **BASE,
        "SOPOST_WEBHOOK_SECRET": SECRET,
        "HARNESS_DB": "/tmp/x.db",
        "PORT": "9000",
        "HARNESS_HOST": "0.0.0.0",
        "HARNESS_WORKERS": "2",
        "HARNESS_MAX_ATTEMPTS": "3",
        "HARNESS_CONSENT_IDS": "A, b ,",
        "HARNESS_DATA_HANDLERS": "SoPost,Boots",
        "HARNESS_BACKOFF_BASE": "0.01",
        "HARNESS_BACKOFF_CAP": "0.1",
        "HARNESS_LEASE_SECONDS": "5",
        "HARNESS_POLL_INTERVAL": "0.05",
        "HARNESS_HTTP_TIMEOUT": "2",
        "HARNESS_ADMIN_TOKEN": "admin",
    }
    config = HarnessConfig.from_env(env)
    assert config.sopost_webhook_secret == SECRET
    assert (config.db_path, config.port, config.host, config.workers) == (
        "/tmp/x.db", 9000, "0.0.0.0", 2,
    )  # fmt: skip
    assert config.consent_ids == frozenset({"a", "b"})
    assert config.data_handlers == frozenset({"sopost", "boots"})
    assert (config.backoff_base, config.backoff_cap, config.lease_seconds) == (0.01, 0.1, 5.0)
    assert (config.poll_interval, config.http_timeout, config.admin_token) == (0.05, 2.0, "admin")
    assert config.max_attempts == 3


def test_one_error_lists_every_problem() -> None:
    env = {"SOPOST_API_URL": "http://x", "HARNESS_WORKERS": "many", "PORT": "-1"}
    with pytest.raises(ConfigError) as info:
        HarnessConfig.from_env(env)
    message = str(info.value)
    for name in ("SOPOST_API_USER", "SOPOST_API_PASSWORD", "POPLAR_API_URL", "POPLAR_API_TOKEN"):
        assert name in message
    assert "SOPOST_API_URL," not in message
    assert "HARNESS_WORKERS='many' is not a int" in message
    assert "PORT='-1' must be at least 0" in message
    assert len(info.value.problems) == 3


def test_bad_webhook_secret_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SOPOST_WEBHOOK_SECRET"):
        HarnessConfig.from_env({**BASE, "SOPOST_WEBHOOK_SECRET": "whsec_!!!"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("1", True), ("yes", True), ("0", False), ("off", False), ("FALSE", False)],
)
def test_workers_run_in_a_process_of_their_own_unless_told(value, expected) -> None:
    env = BASE if value is None else {**BASE, "HARNESS_WORKER_PROCESS": value}
    assert HarnessConfig.from_env(env).worker_process is expected


def test_a_worker_process_flag_that_is_not_one_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="HARNESS_WORKER_PROCESS='maybe' is not a flag"):
        HarnessConfig.from_env({**BASE, "HARNESS_WORKER_PROCESS": "maybe"})


def test_the_config_reaches_the_worker_process_unchanged() -> None:
    config = HarnessConfig.from_env(
        {**BASE, "SOPOST_WEBHOOK_SECRET": SECRET, "HARNESS_CONSENT_IDS": "a,b"}
    )
    assert HarnessConfig.from_json(config.to_json()) == config
