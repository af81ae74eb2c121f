"""The vendor clients on the wire: what they send, through which proxy, and what they make
of the answer."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator

import pytest

from harness.clients import PoplarClient, SoPostClient, TransientError
from tests.unit.harness.test_harness_processor import Clock

ORDER_ID = "0f7e8a9b-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


class _Recorder(socketserver.StreamRequestHandler):
    """Answers every request with one JSON object and remembers the request head (header
    names in lower case)."""

    def handle(self) -> None:
        head = []
        while (line := self.rfile.readline().decode("latin-1").rstrip("\r\n")) != "":
            name, colon, value = line.partition(":")
            head.append(f"{name.lower()}:{value}" if colon and head else line)
        length = next(
            (int(h.split(":", 1)[1]) for h in head if h.startswith("content-length:")),
            0,
        )
        body = self.rfile.read(length)
        self.server.seen.append((head, body))  # type: ignore[attr-defined]
        answer = json.dumps({"id": ORDER_ID}).encode()
        self.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer)
        )


@pytest.fixture
def recorder() -> Iterator[socketserver.TCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: socketserver.TCPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_sopost_is_asked_with_basic_auth_and_json(recorder, monkeypatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = SoPostClient(f"{_url(recorder)}/v1", "user", "pässword", 2.0, Clock())
    assert client.get_order(ORDER_ID) == {"id": ORDER_ID}
    ((head, _),) = recorder.seen
    assert head[0] == f"GET /v1/orders/{ORDER_ID} HTTP/1.1"
    # requests' encoding of credentials: latin-1 before base64.
    assert "authorization: Basic dXNlcjpw5HNzd29yZA==" in head
    assert {"accept: application/json", "user-agent: mockkit-harness"} <= set(head)


def test_poplar_gets_a_json_body_and_the_bearer_token(recorder, monkeypatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = PoplarClient(f"{_url(recorder)}/v1", "tok", 2.0, Clock())
    assert client.submit_order({"order_id": "x", "name": "Zoë"}) == ORDER_ID
    ((head, body),) = recorder.seen
    assert head[0] == "POST /v1/order HTTP/1.1"
    assert {"authorization: Bearer tok", "content-type: application/json"} <= set(head)
    assert json.loads(body) == {"order_id": "x", "name": "Zoë"}


def test_the_environments_proxy_carries_the_calls(recorder, monkeypatch) -> None:
    """As with requests: a harness behind an egress proxy reaches the vendors through it."""
    monkeypatch.setenv("HTTP_PROXY", _url(recorder))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = SoPostClient("http://sopost.invalid/v1", "user", "secret", 2.0, Clock())
    assert client.get_order(ORDER_ID) == {"id": ORDER_ID}
    ((head, _),) = recorder.seen
    assert head[0] == f"GET http://sopost.invalid/v1/orders/{ORDER_ID} HTTP/1.1"


def test_no_proxy_sends_the_call_direct(recorder, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", _url(recorder))
    monkeypatch.setenv("NO_PROXY", "sopost.invalid")
    client = SoPostClient("http://sopost.invalid/v1", "user", "secret", 2.0, Clock())
    with pytest.raises(TransientError, match="sopost network error"):
        client.get_order(ORDER_ID)
    assert recorder.seen == []
