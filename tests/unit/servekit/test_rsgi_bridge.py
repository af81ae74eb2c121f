"""The RSGI bridge with a scripted client: bodies are read before the app runs, cut at the
size limit or the deadline, and the app learns why; answers keep their framing."""

from __future__ import annotations

import ast
import asyncio
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from granian.rsgi import ProtocolClosed

from servekit import rsgi_bridge
from servekit.rsgi_bridge import BODY_CUT_SHORT, BODY_TIMED_OUT, WsgiOverRsgi
from servekit.settings import header_timeout_ms
from tests.support import LOOP_THREAD, run_apart


@dataclass
class Scope:
    method: str = "POST"
    path: str = "/orders"
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    proto: str = "http"
    http_version: str = "1.1"
    scheme: str = "http"
    server: str = "127.0.0.1:8080"
    client: str = "127.0.0.1:50000"


class Client:
    """The protocol side: the body in ``chunks`` (then, if ``stall``, nothing ever more)."""

    def __init__(
        self, chunks: Iterable[bytes] = (), stall: bool = False, closes: bool = False
    ) -> None:
        self.chunks = list(chunks)
        self.stall = stall
        self.closes = closes  # the connection ends after the chunks (granian raises)
        self.answer: tuple[int, list[tuple[str, str]], bytes] | None = None
        self.streamed: list[bytes] | None = None

    async def _body(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.stall:
            await asyncio.Event().wait()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._body()

    async def __call__(self) -> bytes:
        """RSGI's whole-body read."""
        if self.closes:
            raise ProtocolClosed("RSGI transport is closed")
        return b"".join([chunk async for chunk in self._body()])

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.answer = (status, headers, body)

    def response_stream(self, status: int, headers: list[tuple[str, str]]) -> Any:
        self.answer = (status, headers, b"")
        self.streamed = []
        streamed = self.streamed

        class Transport:
            async def send_bytes(self, data: bytes) -> None:
                streamed.append(data)

        return Transport()

    def header(self, name: str) -> str | None:
        assert self.answer is not None
        return next((v for k, v in self.answer[1] if k.lower() == name), None)


class Recorder:
    """A WSGI app that keeps what it was given and answers ``body`` (or its own length)."""

    def __init__(self, body: bytes = b"ok", declared: int | None = None) -> None:
        self.body = body
        self.declared = declared
        self.environ: dict[str, Any] = {}
        self.received = b""
        self.thread = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.environ = environ
        self.received = environ["wsgi.input"].read()
        self.thread = threading.current_thread().name
        length = len(self.body) if self.declared is None else self.declared
        start_response("200 OK", [("Content-Length", str(length))])
        return [self.body]


def serve(app: Recorder, scope: Scope, client: Client, **options: Any) -> None:
    """One request through the bridge, on an event loop of its own (as granian runs it)."""
    settings = {"max_body": 10, "body_timeout": 0.2, "threads": 2, **options}
    bridge = WsgiOverRsgi(app, **settings)
    try:
        run_apart(lambda: bridge.__rsgi__(scope, client))
    finally:
        bridge.__rsgi_del__(None)


def test_a_whole_body_reaches_the_app_with_its_length() -> None:
    app, client = Recorder(), Client([b'{"a":', b"1}"])
    serve(app, Scope(headers={"content-length": "7", "content-type": "application/json"}), client)
    assert app.received == b'{"a":1}'
    assert app.environ["CONTENT_LENGTH"] == "7"
    assert app.environ["CONTENT_TYPE"] == "application/json"
    assert client.answer == (200, [("Content-Length", "2")], b"ok")


def test_a_chunked_body_arrives_as_a_plain_one() -> None:
    app = Recorder()
    serve(app, Scope(headers={"transfer-encoding": "chunked"}), Client([b"ab", b"cd"]))
    assert (app.received, app.environ["CONTENT_LENGTH"]) == (b"abcd", "4")
    assert "HTTP_TRANSFER_ENCODING" not in app.environ


def test_a_chunked_body_past_the_limit_stops_being_read_and_closes() -> None:
    app, client = Recorder(), Client([b"x" * 8, b"x" * 8, b"never read"])
    serve(app, Scope(headers={"transfer-encoding": "chunked"}), client)
    assert int(app.environ["CONTENT_LENGTH"]) > 10  # so the app answers 413
    assert client.header("connection") == "close"


def test_a_declared_length_past_the_limit_is_not_read_at_all() -> None:
    app, client = Recorder(), Client([b"x" * 100])
    serve(app, Scope(headers={"content-length": "100"}), client)
    assert (app.received, app.environ["CONTENT_LENGTH"]) == (b"", "100")
    assert client.header("connection") == "close"


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_body_that_stalls_is_cut_at_the_deadline_and_the_app_told(method: str) -> None:
    app, client = Recorder(), Client([b"{"], stall=True)
    serve(app, Scope(method=method, headers={"content-length": "5"}), client)
    assert app.environ[BODY_TIMED_OUT] is True
    assert client.header("connection") == "close"


def test_a_body_the_client_cut_short_is_not_taken_for_a_request() -> None:
    app, client = Recorder(), Client([b"{"], closes=True)
    serve(app, Scope(headers={"content-length": "5"}), client)
    assert app.environ[BODY_CUT_SHORT] is True
    assert (app.received, app.environ["CONTENT_LENGTH"]) == (b"", "0")
    assert client.header("connection") == "close"


def test_no_body_is_waited_for_when_none_is_declared() -> None:
    app, client = Recorder(), Client(stall=True)
    serve(app, Scope(method="GET"), client)
    assert BODY_TIMED_OUT not in app.environ
    assert client.header("connection") is None


def test_an_answer_short_of_its_length_is_streamed_so_the_connection_breaks() -> None:
    client = Client()
    serve(Recorder(body=b"", declared=1024), Scope(method="GET"), client)
    assert client.streamed == []  # response_stream, nothing sent: granian aborts the connection


def test_a_head_answer_keeps_the_length_of_the_get() -> None:
    client = Client()
    serve(Recorder(body=b"", declared=1024), Scope(method="HEAD"), client)
    assert client.answer == (200, [("Content-Length", "1024")], b"")


def test_the_environ_is_what_wsgi_expects() -> None:
    app = Recorder()
    scope = Scope(
        method="GET",
        path="/a b/é",
        query_string="q=%20",
        headers={"host": "localhost:8080", "x-forwarded-for": "a", "authorization": "Basic x"},
    )
    serve(app, scope, Client())
    environ = app.environ
    assert environ["PATH_INFO"] == "/a b/é".encode().decode("latin-1")  # PEP 3333
    assert environ["QUERY_STRING"] == "q=%20"
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("127.0.0.1", "8080")
    assert environ["REMOTE_ADDR"] == "127.0.0.1"
    assert environ["HTTP_HOST"] == "localhost:8080"
    assert environ["HTTP_AUTHORIZATION"] == "Basic x"
    assert environ["wsgi.url_scheme"] == "http"


def test_requests_run_inline_only_when_the_app_says_so() -> None:
    app = Recorder()
    serve(
        app, Scope(method="GET", path="/fast"), Client(), inline=lambda e: e["PATH_INFO"] == "/fast"
    )
    on_the_loop = app.thread
    serve(
        app, Scope(method="GET", path="/slow"), Client(), inline=lambda e: e["PATH_INFO"] == "/fast"
    )
    assert on_the_loop == LOOP_THREAD
    assert app.thread.startswith("wsgi")


def test_the_header_deadline_fits_granian_range() -> None:
    assert header_timeout_ms(10) == 10_000
    assert header_timeout_ms(0.0001) == 1
    assert header_timeout_ms(600) == 60_000


def test_servekit_imports_nothing_of_ours() -> None:
    """The harness uses it, and the harness may not import the mocks (it runs against the
    real vendors), so servekit stays on the standard library."""
    source = Path(rsgi_bridge.__file__).read_text(encoding="utf-8")
    imported = {
        node.module.split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if not isinstance(node, ast.ImportFrom) or node.module
    }
    assert not imported & {"mocks", "contracts", "mockkit", "harness", "openapi", "pagekit"}
