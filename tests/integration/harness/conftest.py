"""Fixtures: fake vendors and a harness app, each on a free loopback port."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

# Helpers are imported as ``tests.…`` modules, which needs the repository root on sys.path.
# The project's pytest settings do that (pythonpath = ["."]); this keeps the suite working
# under any import mode or invocation.
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from harness.app import create_app  # noqa: E402
from harness.config import HarnessConfig  # noqa: E402
from harness.service import HarnessService  # noqa: E402
from tests.integration.harness.harness_testkit import (  # noqa: E402
    POPLAR_TOKEN,
    SOPOST_PASSWORD,
    SOPOST_USER,
    WEBHOOK_SECRET,
    FakePoplar,
    FakeSoPost,
    Served,
    signed_headers,
)


@pytest.fixture
def sopost_fake() -> Iterator[tuple[FakeSoPost, Served]]:
    fake = FakeSoPost()
    served = Served(fake.app())
    yield fake, served
    served.close()


@pytest.fixture
def poplar_fake() -> Iterator[tuple[FakePoplar, Served]]:
    fake = FakePoplar()
    served = Served(fake.app())
    yield fake, served
    served.close()


@dataclasses.dataclass
class RunningHarness:
    url: str
    service: HarnessService
    session: requests.Session

    def send(self, event: dict[str, Any], *, sign: bool = True) -> requests.Response:
        body = json.dumps(event).encode()
        headers = signed_headers(body) if sign else {"content-type": "application/json"}
        return self.session.post(f"{self.url}/webhooks/sopost", data=body, headers=headers)

    def status(self) -> dict[str, Any]:
        return self.session.get(f"{self.url}/status").json()

    def event(self, event_id: str) -> dict[str, Any]:
        return self.service.store.event(event_id)  # type: ignore[attr-defined]


@pytest.fixture
def start_harness(
    sopost_fake: tuple[FakeSoPost, Served], poplar_fake: tuple[FakePoplar, Served], tmp_path: Path
) -> Iterator[Callable[..., RunningHarness]]:
    """Start a harness wired to the fakes; keyword arguments override HarnessConfig fields."""
    started: list[tuple[RunningHarness, Served]] = []

    def start(**overrides: Any) -> RunningHarness:
        config = HarnessConfig(
            sopost_api_url=f"{sopost_fake[1].url}/v1",
            sopost_api_user=SOPOST_USER,
            sopost_api_password=SOPOST_PASSWORD,
            poplar_api_url=f"{poplar_fake[1].url}/v1",
            poplar_api_token=POPLAR_TOKEN,
            sopost_webhook_secret=WEBHOOK_SECRET,
            db_path=str(tmp_path / f"harness-{len(started)}.db"),
            workers=4,
            backoff_base=0.01,
            backoff_cap=0.05,
            poll_interval=0.02,
            http_timeout=5.0,
        )
        config = dataclasses.replace(config, **overrides)
        app = create_app(config)
        served = Served(app)
        running = RunningHarness(served.url, app.extensions["harness"], requests.Session())
        started.append((running, served))
        return running

    yield start
    for running, served in started:
        running.service.stop()
        running.session.close()
        served.close()
