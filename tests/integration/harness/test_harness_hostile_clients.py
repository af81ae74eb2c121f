"""``python -m harness`` (granian, as deployed) against hostile and slow clients (issue 12).

Before: a chunked 10 MB body was read to 64 KB and answered as broken JSON, JSON nested 1,000
deep escaped as a RecursionError (500) even with a valid signature, and 12 stalled uploads
froze the harness (8 threads, no header deadline below 30 s).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from mocks.core.server import free_port
from tests.support import wait_until

SECRET = "whsec_" + base64.b64encode(b"hostile-clients-secret-0123456789").decode()
CLIENT_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    dead = "http://127.0.0.1:9/v1"  # no vendor is needed to judge requests at the door
    env = {
        **os.environ,
        "SOPOST_API_URL": dead,
        "SOPOST_API_USER": "u",
        "SOPOST_API_PASSWORD": "p",
        "POPLAR_API_URL": dead,
        "POPLAR_API_TOKEN": "t",
        "SOPOST_WEBHOOK_SECRET": SECRET,
        "HARNESS_DB": str(tmp_path_factory.mktemp("hostile") / "inbox.db"),
        "HARNESS_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT),
        "PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "harness"],
        env=env,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _healthy(url), timeout=30, interval=0.1, message="harness up")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _signed(body: bytes) -> dict[str, str]:
    msg_id = "msg_" + secrets.token_hex(8)
    now = datetime.now(tz=UTC)
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(msg_id, now, body.decode()),
    }


def _event() -> bytes:
    return json.dumps(
        {
            "event_id": secrets.token_hex(20),
            "event": "APPROVED",
            "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "activity_id": "932c6eba-6fc5-4e41-9ea9-5fd2fe950b25",
        }
    ).encode()


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_10_mb_body_is_413_in_the_envelope_and_not_read_whole(harness: str) -> None:
    sent = 0

    def endless() -> Iterator[bytes]:
        nonlocal sent
        for chunk in _chunks(b"[" * (10 * 1024 * 1024)):
            sent += len(chunk)
            yield chunk

    try:
        response = requests.post(
            f"{harness}/webhooks/sopost", data=endless(), headers=_signed(b"x"), timeout=30
        )
    except requests.ConnectionError:
        pytest.fail("the harness dropped the connection instead of answering 413")
    assert response.status_code == 413
    assert response.json()["error"]["title"] == "RequestEntityTooLarge"
    assert response.headers["connection"] == "close"
    assert sent < 10 * 1024 * 1024  # the server stopped reading long before the end


def test_a_small_chunked_event_is_accepted(harness: str) -> None:
    body = _event()
    response = requests.post(
        f"{harness}/webhooks/sopost", data=_chunks(body, 16), headers=_signed(body), timeout=10
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("depth", [33, 1_000, 30_000])
def test_deep_json_is_a_400_even_with_a_valid_signature(harness: str, depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    response = requests.post(
        f"{harness}/webhooks/sopost", data=body, headers=_signed(body), timeout=10
    )
    assert response.status_code == 400, response.text
    [detail] = response.json()["error"]["details"]
    assert f"nested {depth} deep" in detail
    assert _healthy(harness)


def test_stalled_headers_are_cut_off_at_the_client_timeout(harness: str) -> None:
    with socket.create_connection(("127.0.0.1", int(harness.rsplit(":", 1)[1]))) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finishes
        sock.settimeout(CLIENT_TIMEOUT + 10)
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server (granian sends no 408 here)
        assert time.monotonic() - started < CLIENT_TIMEOUT + 10


def test_fifty_stalled_uploads_leave_health_answering(harness: str) -> None:
    port = int(harness.rsplit(":", 1)[1])
    stalled = []
    try:
        for _ in range(50):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(
                b"POST /webhooks/sopost HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            stalled.append(sock)
        for _ in range(5):
            response = requests.get(f"{harness}/health", timeout=2)
            assert response.status_code == 200
        stalled[0].settimeout(CLIENT_TIMEOUT + 10)
        answer = stalled[0].recv(65536)  # the deadline passed: 408 in the harness's envelope
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 ")
        assert b"connection: close" in head.lower()
        assert json.loads(body)["error"]["title"] == "RequestTimeout"
    finally:
        for sock in stalled:
            sock.close()


def test_a_body_cut_short_by_the_client_is_a_400(harness: str) -> None:
    with socket.create_connection(("127.0.0.1", int(harness.rsplit(":", 1)[1]))) as sock:
        sock.sendall(
            b"POST /webhooks/sopost HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        sock.shutdown(socket.SHUT_WR)  # 1 of the 100 bytes sent, then no more
        sock.settimeout(CLIENT_TIMEOUT + 10)
        head, _, body = sock.recv(65536).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert "Content-Length" in json.loads(body)["error"]["message"]
    assert _healthy(harness)
