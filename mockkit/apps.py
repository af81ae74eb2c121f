"""App factories that the server (granian, RSGI) imports in its worker process.

`mockkit serve` builds each mock's config (defaults from the config dataclasses) and passes it
whole, as ``dataclasses.asdict`` JSON in an environment variable, because the server builds the
app in a separate process; :func:`revive` turns it back into the same config.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

if TYPE_CHECKING:  # the CLI imports this module for its names: no server code (cold start)
    from flask import Flask

    from servekit.rsgi_bridge import WsgiOverRsgi

__all__ = [
    "DEMO_POPLAR_TOKEN",
    "POPLAR_ENV",
    "SOPOST_ENV",
    "poplar_app",
    "revive",
    "sopost_app",
]

SOPOST_ENV = "MOCKKIT_SOPOST_OPTIONS"
# The Poplar token the harness uses under `mockkit serve` and in the demo.
DEMO_POPLAR_TOKEN = "mockkit-demo-token"
POPLAR_ENV = "MOCKKIT_POPLAR_OPTIONS"

Config = TypeVar("Config")
# Threads for the requests that may wait (pages, control calls, injected latency): enough for
# a verify run's concurrent slow scenarios. Requests still sending their body hold none.
MOCK_THREADS = 32


def revive(cls: type[Config], data: dict[str, Any]) -> Config:
    """``cls(**data)`` for a (nested) config dataclass from JSON: nested configs are rebuilt,
    JSON lists become the tuples the configs hold, and absent fields keep their defaults."""
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for spec in fields(cls):
        if spec.name not in data:
            continue
        value = data[spec.name]
        kind = hints[spec.name]
        if is_dataclass(kind) and isinstance(value, dict):
            value = revive(kind, value)
        elif isinstance(value, list):
            value = tuple(value)
        values[spec.name] = value
    return cls(**values)


def _serving(app: Flask) -> WsgiOverRsgi:
    """The mock as granian serves it: bodies read under a deadline, the vendor API inline.

    Start-up objects are frozen (not collected first: start-up leaves some 170 unreachable
    objects, and a full collection to free them was 11-24 ms of the cold start), and
    collection is tuned for a heap that keeps growing (orders, journal entries), measured
    with wrk on both mocks: the young generation every 5,000 net
    allocations (at 50,000 each walk paused the event loop for milliseconds: SoPost's quiet
    p99 8.3 ms against 3.7-4.2); the middle one after every 2 of those, so it never holds more
    than ~10,000 survivors (after 20 it held 100,000, and walking them paused a Poplar mock
    27-44 ms: p99 23-31 ms against 8-10); full collections after 100 of those, and only once
    long-lived objects grew by a quarter (Python's own rule), so the walk over the whole
    journal and order store stays rare.
    """
    from servekit.rsgi_bridge import WsgiOverRsgi  # in the server only (see TYPE_CHECKING)

    gc.freeze()
    gc.set_threshold(5_000, 2, 100)
    runtime = app.extensions["mockkit"].runtime
    return WsgiOverRsgi(
        app,
        max_body=runtime.config.max_body,
        body_timeout=runtime.config.client_timeout,
        threads=MOCK_THREADS,
        inline=runtime.runs_inline,
    )


def _configure_logging() -> None:
    from mocks.core.request_log import log_requests_to  # in the server only (cold start)

    log_requests_to(sys.stderr, "%(asctime)s %(message)s", "%H:%M:%S")


def sopost_app() -> WsgiOverRsgi:
    """Granian factory: the SoPost mock built from ``$MOCKKIT_SOPOST_OPTIONS``.

    Each vendor's app is imported by its own factory, so a server imports one mock, not both.
    """
    from mocks.sopost.app import SoPostConfig, create_app

    _configure_logging()
    return _serving(create_app(revive(SoPostConfig, json.loads(os.environ.get(SOPOST_ENV, "{}")))))


def poplar_app() -> WsgiOverRsgi:
    """Granian factory: the Poplar mock built from ``$MOCKKIT_POPLAR_OPTIONS``."""
    from mocks.poplar.app import PoplarConfig, create_app

    _configure_logging()
    return _serving(create_app(revive(PoplarConfig, json.loads(os.environ.get(POPLAR_ENV, "{}")))))
