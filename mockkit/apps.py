"""App factories that the WSGI server imports in its worker process.

`mockkit serve` passes each service's options as JSON in an environment variable, because the
server builds the app in a separate process; this module turns them back into configs.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from typing import Any

from flask import Flask

from mocks.core.runtime import RuntimeConfig
from mocks.poplar.app import PoplarConfig
from mocks.poplar.app import create_app as create_poplar
from mocks.sopost.app import SoPostConfig
from mocks.sopost.app import create_app as create_sopost
from mocks.sopost.state import LifecycleConfig

__all__ = [
    "DEMO_POPLAR_TOKEN",
    "POPLAR_ENV",
    "SOPOST_ENV",
    "poplar_app",
    "poplar_config",
    "sopost_app",
    "sopost_config",
]

SOPOST_ENV = "MOCKKIT_SOPOST_OPTIONS"
# The Poplar token the harness uses under `mockkit serve` and in the demo.
DEMO_POPLAR_TOKEN = "mockkit-demo-token"
POPLAR_ENV = "MOCKKIT_POPLAR_OPTIONS"


def _runtime(options: dict[str, Any]) -> RuntimeConfig:
    return RuntimeConfig(
        seed=options.get("seed", 0),
        clock=options.get("clock", "real"),
        log_requests=not options.get("quiet", False),
    )


def sopost_config(options: dict[str, Any]) -> SoPostConfig:
    """A SoPost config from the CLI's plain options (the keys `mockkit serve` writes)."""
    return SoPostConfig(
        runtime=_runtime(options),
        lifecycle=LifecycleConfig(
            filtering_delay=options.get("filtering_delay", 2.0),
            review_delay=options.get("review_delay", 30.0),
            stage_delays=tuple(options.get("stage_delays", (10.0, 30.0, 60.0))),
        ),
        require_auth=options.get("require_auth", False),
        retry_scale=options.get("retry_scale", 1.0),
        webhook_timeout=options.get("webhook_timeout", 10.0),
        allow_webhook_hosts=tuple(options.get("allow_webhook_hosts", ())),
    )


def _serving(app: Flask) -> Flask:
    """Freeze start-up objects and collect garbage less often: a mock keeps thousands of
    journal entries and orders alive, and full collections over them showed up as p99 spikes."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    return app


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("mockkit.requests")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def poplar_config(options: dict[str, Any]) -> PoplarConfig:
    """A Poplar config from the CLI's plain options."""
    tokens = options.get("tokens")
    return PoplarConfig(
        runtime=_runtime(options),
        lenient=options.get("lenient", False),
        tokens=tuple(tokens) if tokens else None,
        rate_limit=options.get("rate_limit", PoplarConfig.rate_limit),
    )


def sopost_app() -> Flask:
    """Granian factory: the SoPost mock built from ``$MOCKKIT_SOPOST_OPTIONS``."""
    _configure_logging()
    return _serving(create_sopost(sopost_config(json.loads(os.environ.get(SOPOST_ENV, "{}")))))


def poplar_app() -> Flask:
    """Granian factory: the Poplar mock built from ``$MOCKKIT_POPLAR_OPTIONS``."""
    _configure_logging()
    return _serving(create_poplar(poplar_config(json.loads(os.environ.get(POPLAR_ENV, "{}")))))
