"""Serve a WSGI app through granian's RSGI interface, reading each body under a deadline.

granian's WSGI interface calls the app as soon as the head is in, and ``wsgi.input.read()``
then blocks a thread in Rust for as long as the client keeps the connection open: four
stalled uploads froze a mock, and no Python code can interrupt that read (docs/slow-clients.md).
Here the body is read first, on the event loop, holding no thread: a body that has not arrived
within ``body_timeout`` seconds, or grows past ``max_body`` bytes (chunked or not), stops being
read, and the app is told why through the environ (:data:`BODY_TIMED_OUT`, a ``CONTENT_LENGTH``
over its limit, :data:`BODY_CUT_SHORT` when the client closed first), so it answers 408 / 413 /
400 in its own envelope. Only complete requests reach the thread pool, so stalled clients cost
nothing but a socket.

It depends on nothing but WSGI and RSGI (granian's closed-transport error), so the mocks and the
harness share it.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from granian.rsgi import ProtocolClosed

from servekit.deadlines import Deadlines

__all__ = ["BODY_CUT_SHORT", "BODY_READ", "BODY_TIMED_OUT", "WsgiOverRsgi"]

# environ keys: True when ``wsgi.input`` holds the whole body, read within the limits (so it
# needs no guarding stream of its own); True when the client did not send it in time; True
# when the client closed its side before its declared ``Content-Length`` had arrived.
BODY_READ = "servekit.body_read"
BODY_TIMED_OUT = "servekit.body_timed_out"
BODY_CUT_SHORT = "servekit.body_cut_short"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Answer = tuple[int, list[tuple[str, str]], bytes]

_BASE_ENVIRON: dict[str, Any] = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "SCRIPT_NAME": "",
    "SERVER_SOFTWARE": "granian (mockkit servekit)",
    "wsgi.errors": sys.stderr,
    "wsgi.multiprocess": False,
    "wsgi.multithread": True,
    "wsgi.run_once": False,
    "wsgi.version": (1, 0),
}
# Request headers WSGI names without the HTTP_ prefix (PEP 3333).
_UNPREFIXED = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}


class WsgiOverRsgi:
    """An RSGI application (granian ``--interface rsgi``) that runs ``app``, a WSGI app.

    ``threads`` bounds how many requests run the app at once; a request waiting for its body
    does not count, so the bound only needs to cover slow handlers (injected latency).
    ``inline(environ)``, when given and true, runs that request on the event loop instead: no
    thread hand-off and no contention for the interpreter (measured: the SoPost mock's p99
    fell and its throughput rose), for requests that only compute.
    """

    def __init__(
        self,
        app: WsgiApp,
        *,
        max_body: int,
        body_timeout: float,
        threads: int,
        inline: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.inline = inline
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")
        self._deadlines = Deadlines(body_timeout)
        self._loop: asyncio.AbstractEventLoop | None = None  # granian's, once it says

    @property
    def body_timeout(self) -> float:
        """Seconds a body has to arrive (its deadlines hold it)."""
        return self._deadlines.seconds

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop  # asked of asyncio on every read, it cost a system call (getpid)

    def __rsgi_del__(self, _loop: object) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        if scope.proto != "http":  # websockets: none of our apps speak them
            return
        environ = _environ(scope)
        body, complete = await self._read_body(environ, protocol)
        environ["wsgi.input"] = io.BytesIO(body)
        environ[BODY_READ] = complete
        if self.inline is not None and self.inline(environ):
            status, headers, content = _run(self.app, environ)
        else:
            loop = asyncio.get_running_loop()
            status, headers, content = await loop.run_in_executor(
                self._pool, _run, self.app, environ
            )
        if not complete:  # the rest of the body is still coming: it must not pass for a request
            headers = [(k, v) for k, v in headers if k.lower() != "connection"]
            headers.append(("connection", "close"))
        declared = _content_length(headers)
        if declared is not None and declared != len(content) and scope.method != "HEAD":
            # A body short of its Content-Length (an injected dropped connection): stream what
            # there is and stop, so the server aborts the connection as the client should see.
            transport = protocol.response_stream(status, headers)
            if content:
                await transport.send_bytes(content)
            return
        protocol.response_bytes(status, headers, content)

    async def _read_body(self, environ: dict[str, Any], protocol: Any) -> tuple[bytes, bool]:
        """The body, and whether it was read whole. Bodies past the limit or the deadline are
        cut short; the environ then says why, and its ``CONTENT_LENGTH`` is what was read."""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        declared = _declared_length(environ.get("CONTENT_LENGTH"))
        if not chunked and not declared:
            return b"", True
        if declared is not None and declared > self.max_body:
            return b"", False  # CONTENT_LENGTH already says too much: the app answers 413
        parts: list[bytes] = []
        size = 0
        complete = True
        reading = self._deadlines.open(self._loop or asyncio.get_running_loop())
        try:
            if not chunked:
                # A known length within the limit: one await for all of it, instead of one
                # per chunk and one for the end, each a hand-off between granian's threads
                # and the event loop (Poplar POST /v1/order +9 %).
                parts.append(await protocol())
                size = len(parts[0])
            else:
                async for chunk in protocol:
                    parts.append(chunk)
                    size += len(chunk)
                    if size > self.max_body:
                        complete = False
                        break
        except asyncio.CancelledError:
            if not self._deadlines.expired(reading):
                raise  # the server's own cancellation (a client gone, a shutdown)
            environ[BODY_TIMED_OUT] = True
            complete = False
        except ProtocolClosed:  # granian: the connection ended before the declared length
            environ[BODY_CUT_SHORT] = True
            complete = False
        finally:
            self._deadlines.close(reading)
        environ.pop("HTTP_TRANSFER_ENCODING", None)  # the app sees a plain body of known length
        environ["CONTENT_LENGTH"] = str(size)
        return b"".join(parts), complete


def _environ(scope: Any) -> dict[str, Any]:
    server_host, _, server_port = scope.server.rpartition(":")
    client_host, _, client_port = scope.client.rpartition(":")
    environ = {
        **_BASE_ENVIRON,
        "REQUEST_METHOD": scope.method,
        "PATH_INFO": scope.path.encode("utf-8", "surrogateescape").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_host,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": client_host,
        "REMOTE_PORT": client_port,
        "wsgi.url_scheme": scope.scheme,
    }
    for name, value in scope.headers.items():
        key = _UNPREFIXED.get(name) or "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def _run(app: WsgiApp, environ: dict[str, Any]) -> Answer:
    """Call the WSGI app and collect its whole answer (our apps never stream)."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started[:] = [int(status.split(" ", 1)[0]), headers]

    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return started[0], list(started[1]), content


def _declared_length(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _content_length(headers: list[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name.lower() == "content-length":
            return _declared_length(value)
    return None
