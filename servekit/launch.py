"""Run granian for one mockkit server: the one place its settings are spelled out.

``mockkit serve`` calls :func:`serve` in a process forked from itself, so a server starts
without a fresh interpreter and granian's command line (cold start); ``python -m harness`` calls
it in-process; ``python -m servekit.launch TARGET HOST PORT [CLIENT_TIMEOUT]`` is the same
server as a command (benchmarks, tests).
"""

from __future__ import annotations

import sys

from granian import Granian
from granian.constants import Interfaces, Loops
from granian.http import HTTP1Settings
from granian.log import LogLevels

from servekit.settings import DEFAULT_CLIENT_TIMEOUT, EVENT_LOOP, HTTP1_BUFFER, header_timeout_ms

__all__ = ["launch_command", "serve"]


def serve(
    target: str, host: str, port: int, client_timeout: float = DEFAULT_CLIENT_TIMEOUT
) -> None:
    """Serve ``target`` ("module:factory" of an RSGI app, :mod:`servekit.rsgi_bridge`) until
    SIGTERM or Ctrl-C, in one worker: each app keeps its state in memory."""
    Granian(
        target,
        factory=True,
        interface=Interfaces.RSGI,
        address=host,
        port=port,
        workers=1,
        loop=Loops(EVENT_LOOP),
        http1_settings=HTTP1Settings(
            header_read_timeout=header_timeout_ms(client_timeout),
            max_buffer_size=HTTP1_BUFFER,
        ),
        log_access=False,
        log_level=LogLevels.warning,
    ).serve()


def launch_command(
    target: str, host: str, port: int, client_timeout: float = DEFAULT_CLIENT_TIMEOUT
) -> list[str]:
    """:func:`serve` as a command line."""
    return [sys.executable, "-m", "servekit.launch", target, host, str(port), str(client_timeout)]


if __name__ == "__main__":
    name, address, number, *timeout = sys.argv[1:]
    serve(name, address, int(number), *(float(t) for t in timeout))
