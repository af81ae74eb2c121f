"""Fixtures shared by every suite: fresh mock apps per test, built from their factories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mocks.core.config import RuntimeConfig
from mocks.core.receiver import RecordingReceiver
from mocks.core.server import LiveServer
from mocks.sopost.app import SoPostConfig, create_app
from tests.pg_cluster import pg_cluster, pg_url  # noqa: F401  (fixtures: a throwaway PostgreSQL)


@pytest.fixture
def sopost_config() -> SoPostConfig:
    """Manual clock, so lifecycle steps happen only when a test advances time."""
    return SoPostConfig(runtime=RuntimeConfig(clock="manual"))


@pytest.fixture
def sopost_app(sopost_config: SoPostConfig):
    app = create_app(sopost_config, start=False)
    yield app
    app.extensions["mockkit"].stop()


@pytest.fixture
def sopost(sopost_app):
    """A Flask test client for a fresh SoPost mock (no background threads)."""
    return sopost_app.test_client()


@pytest.fixture
def sopost_live(sopost_config: SoPostConfig) -> Iterator[LiveServer]:
    """A SoPost mock on a free loopback port, with its scheduler and webhook senders running."""
    with LiveServer(create_app(sopost_config)) as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[RecordingReceiver]:
    with RecordingReceiver() as sink:
        yield sink
