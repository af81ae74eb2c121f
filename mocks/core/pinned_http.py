"""The webhook sender: urllib3 whose connections may only open checked addresses.

A check before sending is not enough on its own: urllib3 resolves the host again when it
connects, and a name can answer loopback to the check and another machine to the connection
(DNS rebinding). So each new connection asks the :class:`TargetPolicy` for the host's
addresses at that moment and connects to those addresses only; TLS still verifies the name.
Redirects are never followed and no proxy is ever used, so nothing but the pinned socket
carries a delivery.

urllib3 directly rather than ``requests``: a delivery is one POST with ready-made bytes and
headers, and ``requests``' per-call work (merging settings, hooks, cookies) cost about 0.5 ms
of CPU a delivery, which is a load test's webhook throughput.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection as urllib3_connection

from mocks.core.webhook_sender import Sender
from mocks.core.webhook_targets import TargetPolicy, TargetRefused

__all__ = ["Connect", "pinned_sender"]
# urllib3's create_connection signature; tests pass one that records every address.
Connect = Callable[..., socket.socket]


# Keep-alive connections kept per receiver: more than the dispatcher's sender threads.
POOL_SIZE = 16


def pinned_sender(policy: TargetPolicy, user_agent: str, connect: Connect | None = None) -> Sender:
    """A sender that POSTs over keep-alive connections shared by the sender threads (urllib3's
    pools are thread-safe), each connection pinned by ``policy``."""
    pools = PoolManager(num_pools=POOL_SIZE, maxsize=POOL_SIZE, retries=False)
    pools.pool_classes_by_scheme = _pool_classes(
        policy, connect or urllib3_connection.create_connection
    )

    def send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        response = pools.request(
            "POST",
            url,
            body=body,
            headers={"User-Agent": user_agent, **headers},
            timeout=timeout,
            redirect=False,
        )
        return response.status

    return send


def _pool_classes(policy: TargetPolicy, connect: Connect) -> dict[str, type[HTTPConnectionPool]]:
    """Pools whose connections connect only where ``policy`` allows (a copy for one sender:
    never urllib3's global table)."""

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
    return {
        "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": pinned_http}),
        "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": pinned_https}),
    }
