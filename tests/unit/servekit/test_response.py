"""ServedResponse: every answer reaches the server exactly as werkzeug's Response would send it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Response
from werkzeug.test import EnvironBuilder

from servekit.response import ServedResponse

Build = Callable[[type[Response]], Response]


def _with_close_callback(cls: type[Response]) -> Response:
    response = cls(b"done")
    response.call_on_close(lambda: closed.append(cls.__name__))
    return response


closed: list[str] = []

CASES: dict[str, tuple[Build, str]] = {
    "json": (lambda cls: cls(b'{"a":1}\n', mimetype="application/json"), "GET"),
    "json to HEAD": (lambda cls: cls(b'{"a":1}\n', mimetype="application/json"), "HEAD"),
    "error": (lambda cls: cls(b'{"error":"x"}', status=404), "GET"),
    "IRI Location": (lambda cls: cls(b"", status=302, headers={"Location": "/\u00e9"}), "GET"),
    "IRI Content-Location": (
        lambda cls: cls(b"x", headers={"Content-Location": "/caf\u00e9"}),
        "GET",
    ),
    "204 with a length": (lambda cls: cls(b"", status=204), "GET"),
    "304": (lambda cls: cls(b"x", status=304, headers={"ETag": '"1"'}), "GET"),
    "text": (lambda cls: cls("caf\u00e9"), "GET"),
    "streamed": (lambda cls: cls(iter([b"a", b"b"])), "GET"),
    "no length": (lambda cls: _without_length(cls(b"abc")), "GET"),
    "passthrough": (lambda cls: cls([b"raw"], direct_passthrough=True), "GET"),
    "close callback": (_with_close_callback, "GET"),
}


def _without_length(response: Response) -> Response:
    del response.headers["Content-Length"]
    return response


def _send(response: Response, method: str) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = EnvironBuilder(path="/", method=method, base_url="http://api.test/").get_environ()
    started: list[Any] = []
    result = response(
        environ, lambda status, headers, exc_info=None: started.extend([status, headers])
    )
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return started[0], started[1], body


@pytest.mark.parametrize("case", CASES)
def test_the_server_gets_what_werkzeug_would_send(case: str) -> None:
    build, method = CASES[case]
    closed.clear()

    assert _send(build(ServedResponse), method) == _send(build(Response), method)
    assert closed == (["ServedResponse", "Response"] if case == "close callback" else [])


def test_an_ordinary_answer_skips_the_copy_and_the_closing_iterator() -> None:
    response = ServedResponse(b"{}", mimetype="application/json")
    environ = EnvironBuilder(path="/").get_environ()

    body, _, _ = response.get_wsgi_response(environ)

    assert body is response.response
