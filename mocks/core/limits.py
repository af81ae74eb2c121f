"""The bounds on one request body: its size and the time it may take to arrive.

Without them ten 10 MB bodies added 100 MB to a mock, and four stalled uploads froze it. The
server (:mod:`servekit.rsgi_bridge`) reads the body before the app runs, stopping past
``max_body`` bytes or the deadline; this stage turns what it found into the vendor's 413 or
408. (Nesting is bounded where bodies are parsed, :mod:`mocks.core.json_body`.)
"""

from __future__ import annotations

from mocks.core.errors import ApiError
from mocks.core.pipeline import Exchange, Stage
from servekit.rsgi_bridge import BODY_CUT_SHORT, BODY_TIMED_OUT

__all__ = ["body_stage", "too_large"]


def too_large(max_body: int) -> ApiError:
    return ApiError(
        "payload_too_large",
        f"The request body is larger than {max_body} bytes, the mock's limit (--max-body); "
        "send a smaller body.",
    )


def body_stage(max_body: int) -> Stage:
    """The body as the server read it: 413 when it is over the limit (a declared
    ``Content-Length``, or what a chunked body grew to), 408 when it did not arrive in time
    (:mod:`servekit.rsgi_bridge` reads it under a deadline before the app runs), 400 when the
    client closed the connection before all of it came."""

    def check(current: Exchange) -> None:
        environ = current.request.environ
        if "CONTENT_LENGTH" not in environ:  # a GET: no body to bound (chunked ones get one)
            return
        if environ.get(BODY_TIMED_OUT):
            raise ApiError(
                "request_timeout",
                "The request body did not arrive in time (--client-timeout); send it whole.",
            )
        if environ.get(BODY_CUT_SHORT):
            raise ApiError(
                "validation_error",
                "The request body ended before its Content-Length (the connection was closed "
                "while it was sent); send it whole.",
            )
        if (current.request.content_length or 0) > max_body:
            raise too_large(max_body)

    return Stage("body", check)
