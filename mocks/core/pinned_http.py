"""The webhook sender: ``requests`` whose connections may only open checked addresses.

A check before sending is not enough on its own: urllib3 resolves the host again when it
connects, and a name can answer loopback to the check and another machine to the connection
(DNS rebinding). So each new connection asks the :class:`TargetPolicy` for the host's
addresses at that moment and connects to those addresses only; TLS still verifies the name.
Redirects are never followed and the environment's proxies and netrc are ignored, so nothing
but the pinned socket carries a delivery.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection as urllib3_connection

from mocks.core.webhook_sender import Sender
from mocks.core.webhook_targets import TargetPolicy, TargetRefused

__all__ = ["Connect", "pinned_sender"]
# urllib3's create_connection signature; tests pass one that records every address.
Connect = Callable[..., socket.socket]


def pinned_sender(policy: TargetPolicy, user_agent: str, connect: Connect | None = None) -> Sender:
    """A sender that POSTs with one keep-alive session per worker thread, pinned by ``policy``."""
    local = threading.local()
    adapter_for = _adapter_class(policy, connect or urllib3_connection.create_connection)

    def send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.trust_env = False  # an HTTP_PROXY would carry deliveries off the machine
            session.headers["User-Agent"] = user_agent
            for scheme in ("http://", "https://"):
                session.mount(scheme, adapter_for())
        response = session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
        return response.status_code

    return send


def _adapter_class(policy: TargetPolicy, connect: Connect) -> type[HTTPAdapter]:
    """An adapter whose pools build connections that connect only where ``policy`` allows."""

    def new_conn(self: HTTPConnection) -> socket.socket:
        try:
            addresses = policy.addresses(self.host, self.port)
        except TargetRefused as refused:
            raise NewConnectionError(self, f"blocked: {refused}") from None
        last_error: OSError | None = None
        for address in addresses:
            try:
                return connect(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as error:
                last_error = error
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")

    pinned_http = type("PinnedHTTPConnection", (HTTPConnection,), {"_new_conn": new_conn})
    pinned_https = type("PinnedHTTPSConnection", (HTTPSConnection,), {"_new_conn": new_conn})
    pools = {
        "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": pinned_http}),
        "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": pinned_https}),
    }

    class PinnedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools  # a copy: never urllib3's global

    return PinnedAdapter
