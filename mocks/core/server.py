"""Serve a WSGI app on a loopback port in a background thread (tests, plugin, verify).

The production path (`mockkit serve`) uses granian in worker processes; this in-process server
is for callers that need the app object and its state next to them, like pytest-httpserver.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

__all__ = ["LiveServer", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for a server whose URL must be known first)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class _QuietHandler(WSGIRequestHandler):
    """No access log: the mocks keep their own journal, and tests read that instead."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LiveServer:
    """A threaded werkzeug server for ``app`` on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_QuietHandler
        )
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_port
        # Poll for shutdown every 50 ms (not the default 500): suites stop many servers.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(0.05,),
            name=f"live-server-{self.port}",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        mock = getattr(self.app, "extensions", {}).get("mockkit")
        if mock is not None and hasattr(mock, "stop"):
            mock.stop()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
