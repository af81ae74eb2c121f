"""A local webhook receiver that records every delivery (for tests and the plugin).

It answers with a status you choose (``fail_next`` makes the next N deliveries fail), so
retries can be exercised end to end without writing a server.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, request

from mocks.core.server import LiveServer

__all__ = ["Received", "RecordingReceiver"]


@dataclass
class Received:
    time: float
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class RecordingReceiver:
    """Records POSTs to any path on a loopback port; ``url`` is where to subscribe."""

    status: int = 200
    fail_next: int = 0
    fail_status: int = 500
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        app = Flask(__name__)
        app.add_url_rule("/", "receive", self._receive, methods=["POST"])
        app.add_url_rule("/<path:path>", "receive_path", self._receive, methods=["POST"])
        self._server = LiveServer(app)

    @property
    def url(self) -> str:
        return self._server.url + "/webhooks"

    def _receive(self, path: str = "") -> tuple[str, int]:
        with self._lock:
            status = self.status
            if self.fail_next > 0:
                self.fail_next -= 1
                status = self.fail_status
            self.received.append(
                Received(time.time(), "/" + path, dict(request.headers), request.get_data(), status)
            )
        return "", status

    def events(self, accepted_only: bool = True) -> list[dict[str, Any]]:
        """Payloads received (by default only those answered 2xx), in arrival order."""
        with self._lock:
            return [r.json() for r in self.received if not accepted_only or r.status < 300]

    def clear(self) -> None:
        with self._lock:
            self.received.clear()

    def start(self) -> RecordingReceiver:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> RecordingReceiver:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
