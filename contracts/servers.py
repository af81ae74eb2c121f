"""Both mocks as in-process live servers, and the environment an integration gets.

``MockPair`` is what verify and the pytest plugin share: SoPost and Poplar on loopback ports
(0 = free ports), each with a typed control client. ``fast=True`` compresses the SoPost
lifecycle and webhook retry schedule so a whole verify run takes seconds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from contracts.client import PoplarControl, SoPostControl, Subscription
from mocks.core.config import RuntimeConfig
from mocks.core.server import LiveServer, free_port
from mocks.poplar.app import PoplarConfig
from mocks.poplar.app import create_app as create_poplar
from mocks.sopost.app import SoPostConfig
from mocks.sopost.app import create_app as create_sopost
from mocks.sopost.state import LifecycleConfig

__all__ = ["DEFAULT_POPLAR_TOKEN", "MockPair", "free_port", "integration_env"]

# Anything not starting with "test" is a production token to the Poplar mock.
DEFAULT_POPLAR_TOKEN = "mockkit-verify-token"

# Fast schedules: decisions in 0.2 s, stages 0.3 s apart, webhook retries after 0.05 s, 3 s,
# 18 s... (the default schedule times 0.01), so an integration down for a restart is retried
# within seconds.
FAST_LIFECYCLE = {"filtering_delay": 0.2, "review_delay": 1.0, "stage_delays": (0.3, 0.3, 0.3)}
FAST_RETRY_SCALE = 0.01


@dataclass
class MockPair:
    """SoPost and Poplar mocks on loopback; use as a context manager or start()/stop()."""

    sopost_port: int = 0
    poplar_port: int = 0
    seed: int = 0  # the fixtures (organisations, campaigns, credentials...)
    id_seed: int | None = None  # run-time ids (orders, events); None: ``seed``
    fast: bool = True
    host: str = "127.0.0.1"
    webhook_timeout: float = 10.0
    # Both mocks answer the vendor's 400 for a broken assumed rule instead of a warning.
    strict: bool = False
    # Seeded orders are live (they move and send webhooks from start); a kit run judges only
    # its own orders' traffic, so by default it has none beyond the guide's two, which stay put.
    fixture_orders: int = 0
    sopost_server: LiveServer = field(init=False)
    poplar_server: LiveServer = field(init=False)

    def __post_init__(self) -> None:
        runtime = RuntimeConfig(seed=self.seed, id_seed=self.id_seed, strict=self.strict)
        lifecycle = LifecycleConfig(**FAST_LIFECYCLE) if self.fast else LifecycleConfig()
        sopost = create_sopost(
            SoPostConfig(
                runtime=runtime,
                lifecycle=lifecycle,
                webhook_timeout=self.webhook_timeout,
                retry_scale=FAST_RETRY_SCALE if self.fast else 1.0,
                webhook_workers=8,
                fixture_orders=self.fixture_orders,
            )
        )
        poplar = create_poplar(PoplarConfig(runtime=runtime))
        self.apps = (sopost, poplar)
        self.sopost_server = LiveServer(sopost, self.host, self.sopost_port)
        self.poplar_server = LiveServer(poplar, self.host, self.poplar_port)
        self.sopost = SoPostControl(self.sopost_server.url)
        self.poplar = PoplarControl(self.poplar_server.url)

    @property
    def sopost_url(self) -> str:
        return self.sopost_server.url

    @property
    def poplar_url(self) -> str:
        return self.poplar_server.url

    def start(self) -> MockPair:
        self.sopost_server.start()
        self.poplar_server.start()
        return self

    def stop(self) -> None:
        for server in (self.sopost_server, self.poplar_server):
            server.stop()
        self.sopost.close()
        self.poplar.close()

    def failures(self) -> list[str]:
        """Tracebacks of exceptions raised inside either mock since the last call."""
        return [
            text for app in self.apps for text in app.extensions["mockkit"].runtime.failures.take()
        ]

    def reset(self) -> None:
        self.sopost.reset()
        self.poplar.reset()

    def credentials(self) -> tuple[str, str, str]:
        """(organisation id, API user, API password) of the default organisation."""
        organisation = self.sopost.default_organisation()
        return organisation["id"], organisation["api_user"], organisation["api_password"]

    def subscribe(self, url: str) -> Subscription:
        organisation_id, user, password = self.credentials()
        return self.sopost.subscribe(url, (user, password), organisation_id)

    def env(
        self,
        port: int,
        webhook_secret: str | None = None,
        poplar_token: str = DEFAULT_POPLAR_TOKEN,
        data_handlers: str = "SoPost",
    ) -> dict[str, str]:
        _, user, password = self.credentials()
        return integration_env(
            self.sopost_url,
            self.poplar_url,
            port,
            user,
            password,
            webhook_secret,
            poplar_token,
            data_handlers=data_handlers,
        )

    def __enter__(self) -> MockPair:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def integration_env(
    sopost_url: str,
    poplar_url: str,
    port: int,
    user: str,
    password: str,
    webhook_secret: str | None,
    poplar_token: str = DEFAULT_POPLAR_TOKEN,
    base: Mapping[str, str] | None = None,
    data_handlers: str = "SoPost",
) -> dict[str, str]:
    """The environment contract of an integration under test (documented in
    the README): ``base`` (default os.environ) plus the vendor URLs and secrets.

    The kit's own interpreter directory goes first on ``PATH``, so ``python -m harness``
    (or any tool installed beside mockkit) resolves to the kit's virtualenv even when it
    was not activated (``.venv/bin/mockkit verify ...``)."""
    env = dict(os.environ if base is None else base)
    bin_dir = os.path.dirname(sys.executable)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != bin_dir]
    env.update(
        {
            "PATH": os.pathsep.join([bin_dir, *path]),
            "PORT": str(port),
            "SOPOST_API_URL": sopost_url.rstrip("/") + "/v1",
            "SOPOST_API_USER": user,
            "SOPOST_API_PASSWORD": password,
            "POPLAR_API_URL": poplar_url.rstrip("/") + "/v1",
            "POPLAR_API_TOKEN": poplar_token,
            "SOPOST_DATA_HANDLERS": data_handlers,
        }
    )
    if webhook_secret:
        env["SOPOST_WEBHOOK_SECRET"] = webhook_secret
    return env
