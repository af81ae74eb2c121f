"""The bound on what one request body may make a mock hold.

Without it ten 10 MB bodies added 100 MB to a mock. A body over ``max_body`` bytes is a 413 in
the vendor's envelope: at once when ``Content-Length`` says so, and for chunked bodies as soon
as the reading passes the limit, so no body is read whole. (Nesting is bounded where bodies are
parsed, :mod:`mocks.core.json_body`.)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from flask import request

from mocks.core.errors import ApiError
from mocks.core.pipeline import Exchange, Stage

__all__ = [
    "DEFAULT_MAX_BODY",
    "body_limit_stage",
    "bound_chunked_input",
    "too_large",
]

DEFAULT_MAX_BODY = 1024 * 1024  # bytes (--max-body)

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def too_large(max_body: int) -> ApiError:
    return ApiError(
        "payload_too_large",
        f"The request body is larger than {max_body} bytes, the mock's limit (--max-body); "
        "send a smaller body.",
    )


def body_limit_stage(max_body: int) -> Stage:
    """A declared ``Content-Length`` over the limit is refused before anything reads it."""

    def check(_: Exchange) -> None:
        if (request.content_length or 0) > max_body:
            raise too_large(max_body)

    return Stage("body limit", check)


def bound_chunked_input(app: WsgiApp, max_body: int) -> WsgiApp:
    """Give a chunked body a ``Content-Length``, reading at most ``max_body + 1`` bytes of it.

    granian passes chunked bodies through without ``Content-Length`` or
    ``wsgi.input_terminated``, so werkzeug would read them as empty; and with
    ``MAX_CONTENT_LENGTH`` alone werkzeug stops silently at the limit, keeping a cut body. So
    the body is read here, never beyond one byte past the limit, and handed on with its length:
    a body over the limit then meets :func:`body_limit_stage` like any other (a 413 in the
    vendor's envelope) and the rest of it is never read.
    """

    def wrapped(environ: dict, start_response: Callable) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            stream, data = environ["wsgi.input"], bytearray()
            while len(data) <= max_body:
                chunk = stream.read(min(64 * 1024, max_body + 1 - len(data)))
                if not chunk:
                    break
                data += chunk
            environ["wsgi.input"] = io.BytesIO(bytes(data))
            environ["CONTENT_LENGTH"] = str(len(data))
            del environ["HTTP_TRANSFER_ENCODING"]  # werkzeug ignores the length of a chunked body
        return app(environ, start_response)

    return wrapped
