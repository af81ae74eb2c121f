"""Slow clients against the served mocks (issue 12): 50 connections that stall their bodies
leave ``/_mock/health`` answering, and a request head that never ends is cut off.

Before: 4 blocking threads, so four stalled uploads froze a mock, and granian waited 30 s for
headers. The latency is printed here and reported by the benchmark; the test asserts that
health answers at all while the stall lasts.
"""

from __future__ import annotations

import socket
import time

import pytest
import requests

from mockkit.serve import HEADER_TIMEOUT_MS
from tests.reliability.served import ServedMocks

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


def test_a_request_head_that_never_ends_is_cut_off(mocks: ServedMocks) -> None:
    with socket.create_connection(_address(mocks.sopost)) as sock:
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
        sock.settimeout(HEADER_TIMEOUT_MS / 1000 + 20)
        assert sock.recv(100) == b""  # granian closes it (no 408: docs/slow-clients.md)
