"""Limits and the Host check as `mockkit serve` runs the mocks: under granian, over sockets."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator

import pytest
import requests

from mockkit.apps import POPLAR_ENV
from mocks.core.server import free_port
from servekit.launch import launch_command
from tests.support import wait_until


@pytest.fixture(scope="module")
def poplar_url() -> Iterator[str]:
    port = free_port()
    options = {"runtime": {"max_body": 1000, "host_aliases": ["mock.test"]}}
    process = subprocess.Popen(
        launch_command("mockkit.apps:poplar_app", "127.0.0.1", port),
        env={**os.environ, POPLAR_ENV: json.dumps(options)},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{url}/_mock/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(up, timeout=30, interval=0.1, message="granian serving Poplar")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def read_response(sock: socket.socket) -> str:
    """One whole HTTP response (head and a Content-Length body), however it is split."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


def _length(data: bytes) -> int:
    for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def test_a_chunked_body_over_the_limit_is_answered_before_it_ends(poplar_url: str) -> None:
    """The client sends one 1 KB chunk (over the 1,000-byte limit) of a chunked body it never
    ends, and then waits: the 413 comes anyway. (It sent three more once, which raced the
    server's close after its answer: a broken pipe whenever the server was quicker.)"""
    port = int(poplar_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/order HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer prod_x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(b"400\r\n" + b" " * 1024 + b"\r\n")
        answer = read_response(sock)
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 413"), answer
    assert json.loads(body)["error"]["title"] == "PayloadTooLarge"


def test_a_chunked_body_within_the_limit_is_read(poplar_url: str) -> None:
    chunks = iter(
        [
            b'{"order_id": "C-1", ',
            b'"order_date": "2024-05-01", "customer_email_sha256": ',
            b'"' + b"a" * 64 + b'"}',
        ]
    )
    response = requests.post(
        f"{poplar_url}/v1/order",
        data=chunks,
        headers={"Authorization": "Bearer prod_x", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("host", "status"), [("attacker.example", 421), ("mock.test", 200)])
def test_the_host_header_decides(poplar_url: str, host: str, status: int) -> None:
    response = requests.get(f"{poplar_url}/_mock/health", headers={"Host": host}, timeout=5)
    assert response.status_code == status
