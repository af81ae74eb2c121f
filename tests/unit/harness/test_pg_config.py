"""HARNESS_DB chooses the store: a postgresql:// URL or a file path, nothing else."""

from __future__ import annotations

import pytest

from harness.config import ConfigError, HarnessConfig, redact_url
from harness.stores import is_postgres
from tests.unit.harness.test_harness_config import BASE


@pytest.mark.parametrize(
    "target", ["postgresql://app:pw@db.internal:5432/harness", "postgres://db/harness"]
)
def test_a_postgresql_url_is_kept_whole(target: str) -> None:
    config = HarnessConfig.from_env({**BASE, "HARNESS_DB": target})
    assert config.db_path == target
    assert is_postgres(config.db_path)


def test_a_path_keeps_sqlite() -> None:
    config = HarnessConfig.from_env({**BASE, "HARNESS_DB": "/var/lib/harness/inbox.db"})
    assert not is_postgres(config.db_path)


def test_another_scheme_is_refused_without_echoing_its_password() -> None:
    with pytest.raises(ConfigError) as raised:
        HarnessConfig.from_env({**BASE, "HARNESS_DB": "mysql://app:hunter2@db/harness"})
    [problem] = raised.value.problems
    assert "postgresql:// URL or a SQLite file path" in problem
    assert "hunter2" not in problem and "mysql://app@db/harness" in problem


def test_redact_url_drops_only_the_password() -> None:
    assert redact_url("postgresql://app:pw@h:5432/db") == "postgresql://app@h:5432/db"
    assert redact_url("postgresql://h/db") == "postgresql://h/db"
