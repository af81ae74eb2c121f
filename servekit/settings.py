"""The settings every mockkit server shares, apart from the bridge, so that a process which only
starts servers (``mockkit serve``, ``python -m harness``) need not import asyncio for them."""

from __future__ import annotations

__all__ = ["DEFAULT_CLIENT_TIMEOUT", "EVENT_LOOP", "HTTP1_BUFFER", "header_timeout_ms"]

# Seconds a client has for its request head (granian's deadline), and again for its body.
DEFAULT_CLIENT_TIMEOUT = 10.0
# hyper's read buffer bounds the request head: headers past 32 KB are its own 431 (granian's
# default, 408 KB, let a 64 KB header through).
HTTP1_BUFFER = 32 * 1024
# granian's event loop for every server: uvloop's hand-offs between threads and the loop are
# cheaper than asyncio's (measured: Poplar POST /v1/order +9 %, SoPost GET +4 %).
EVENT_LOOP = "uvloop"


def header_timeout_ms(client_timeout: float) -> int:
    """granian's header deadline for a client timeout in seconds (it accepts 1 ms to 60 s)."""
    return min(max(int(client_timeout * 1000), 1), 60_000)
