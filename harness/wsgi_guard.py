"""Chunked request bodies bounded like declared ones: 413 after ``max_bytes``, never read whole.

granian tells Werkzeug it terminates the input stream (``wsgi.input_terminated``), so
Werkzeug reads a chunked body up to ``MAX_CONTENT_LENGTH`` and then *silently truncates* it:
a 10 MB chunked upload became a 400 about broken JSON, after 64 KB had been read. This
middleware reads a chunked body up to ``max_bytes + 1`` bytes and hands the app a plain stream
with its true ``CONTENT_LENGTH``, so the app's own ``MAX_CONTENT_LENGTH`` check answers 413 in
the app's envelope, exactly as for a declared length. An answer given before the body was
read whole closes the connection, so the rest cannot pass for the next request.

It depends on nothing but the WSGI protocol, so anything served by granian can wrap with it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

__all__ = ["BoundedBody"]

_CHUNK = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BoundedBody:
    """WSGI middleware: buffer a chunked body up to ``max_bytes + 1`` bytes, then let the app
    decide. Requests with a declared ``Content-Length`` (or none) pass untouched."""

    def __init__(self, app: WSGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.app(environ, start_response)
        body = _read_up_to(environ["wsgi.input"], self.max_bytes + 1)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        del environ["HTTP_TRANSFER_ENCODING"]  # Werkzeug ignores a length beside it
        if len(body) <= self.max_bytes:
            return self.app(environ, start_response)

        def closing(status: str, headers: list[tuple[str, str]], *exc_info: Any):
            headers = [(k, v) for k, v in headers if k.lower() != "connection"]
            return start_response(status, [*headers, ("Connection", "close")], *exc_info)

        return self.app(environ, closing)


def _read_up_to(stream: BinaryIO, cap: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size < cap and (part := stream.read(min(_CHUNK, cap - size))):
        parts.append(part)
        size += len(part)
    return b"".join(parts)
