"""Slow clients against the served mocks (issue 12): 50 connections that stall their bodies
leave ``/_mock/health`` answering, a body that does not arrive in time is a 408 in the vendor's
envelope, a body the client cuts short is a 400 in it, and a request head that never ends is
cut off.

Before: 4 blocking threads, so four stalled uploads froze a mock (even a GET declaring a body
it never sent), and granian waited 30 s for headers. The latency is printed here; the test
asserts that health answers at all while the stall lasts.
"""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mocks.sopost.fixtures import GUIDE
from tests.reliability.served import CLIENT_TIMEOUT, ServedMocks
from tests.support import wait_until

GUIDE_ORDER = GUIDE.order

STALLED = 50


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


@pytest.mark.parametrize("mock", ["sopost", "poplar"])
def test_fifty_stalled_uploads_leave_health_answering(mocks: ServedMocks, mock: str) -> None:
    path = b"/v1/orders" if mock == "sopost" else b"/v1/order"
    stalled = []
    try:
        for _ in range(STALLED):
            sock = socket.create_connection(_address(mocks.url(mock)))
            sock.sendall(
                b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            stalled.append(sock)
        latencies = []
        with requests.Session() as session:
            for _ in range(10):
                started = time.perf_counter()
                response = session.get(f"{mocks.url(mock)}/_mock/health", timeout=5)
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
        print(f"{mock}: /_mock/health with {STALLED} stalled uploads: max {max(latencies):.1f} ms")
    finally:
        for sock in stalled:
            sock.close()


ENVELOPES = {"sopost": ("error", "code"), "poplar": ("error", "title")}


@pytest.mark.parametrize(
    ("mock", "request_line"),
    [
        ("sopost", b"POST /v1/orders"),
        ("poplar", b"POST /v1/order"),
        ("sopost", b"GET /v1/orders/3fa85f64-5717-4562-b3fc-2c963f66afa6"),  # a body never sent
    ],
)
def test_a_body_that_does_not_arrive_in_time_is_a_408_and_the_connection_closes(
    mocks: ServedMocks, mock: str, request_line: bytes
) -> None:
    with socket.create_connection(_address(mocks.url(mock))) as sock:
        sock.sendall(
            request_line + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        sock.settimeout(CLIENT_TIMEOUT + 20)
        answer = _read_until_closed(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"connection: close" in head.lower()
    outer, inner = ENVELOPES[mock]
    assert inner in json.loads(body)[outer]
    assert mocks.healthy(mock)


@pytest.mark.parametrize("mock", ["sopost", "poplar"])
def test_a_body_cut_short_by_the_client_is_a_400_and_journaled(
    mocks: ServedMocks, mock: str
) -> None:
    """The client closes its side with 1 of 100 declared bytes sent: no empty 500 (granian's
    closed-transport error escaped the bridge), an answer in the envelope, and an entry."""
    path = b"/v1/orders" if mock == "sopost" else b"/v1/order"
    journal = f"{mocks.url(mock)}/_mock/requests"
    seen = max((e["id"] for e in requests.get(journal, timeout=5).json()["requests"]), default=0)
    with socket.create_connection(_address(mocks.url(mock))) as sock:
        sock.sendall(
            b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(CLIENT_TIMEOUT + 20)
        answer = _read_until_closed(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    outer, inner = ENVELOPES[mock]
    assert inner in json.loads(body)[outer]
    added = [e for e in requests.get(journal, timeout=5).json()["requests"] if e["id"] > seen]
    assert [(e["path"], e["status"]) for e in added] == [(path.decode(), 400)]
    assert mocks.healthy(mock)


def test_a_request_head_that_never_ends_is_cut_off(mocks: ServedMocks) -> None:
    with socket.create_connection(_address(mocks.sopost)) as sock:
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
        sock.settimeout(CLIENT_TIMEOUT + 20)
        assert sock.recv(100) == b""  # granian closes it (no 408: docs/slow-clients.md)


def _read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_request_held_by_a_latency_fault_does_not_hold_up_the_others(
    mocks: ServedMocks,
) -> None:
    """The vendor API runs on the event loop, except while a fault rule adds latency: then
    requests go to threads, so one sleeping request leaves the rest answering."""
    base = mocks.sopost
    slow_order = "00000000-0000-4000-8000-00000000beef"
    rule = requests.post(
        f"{base}/_mock/faults",
        json={"method": "GET", "path": f"/v1/orders/{slow_order}", "latency_ms": 3000},
        timeout=5,
    ).json()
    try:
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(requests.get, f"{base}/v1/orders/{slow_order}", timeout=20)
            wait_until(
                lambda: _matched(base, rule["id"]) == 1,  # the mock is holding it now
                timeout=10,
                interval=0.02,
                message="the slow request reached its fault",
            )
            fast = requests.get(f"{base}/v1/orders/{GUIDE_ORDER}", timeout=20)
            assert fast.status_code == 200
            assert not slow.done(), "the fast answer waited for the slow one"
            assert slow.result().status_code in (200, 404)
    finally:
        requests.delete(f"{base}/_mock/faults/{rule['id']}", timeout=5)


def _matched(base: str, rule_id: str) -> int:
    rules = requests.get(f"{base}/_mock/faults", timeout=5).json()["faults"]
    return next(rule["matched"] for rule in rules if rule["id"] == rule_id)
