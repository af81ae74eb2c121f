"""Start the mocks exactly as users run them: ``mockkit serve`` (granian), on free ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from mocks.core.server import free_port
from tests.support import wait_until

__all__ = ["CLIENT_TIMEOUT", "POPLAR_TOKEN", "ServedMocks", "serve_mocks"]

POPLAR_TOKEN = "reliability-token"
CLIENT_TIMEOUT = 2.0  # seconds (--client-timeout): short, so slow-client checks end quickly


@dataclass(frozen=True)
class ServedMocks:
    sopost: str
    poplar: str
    pid: int

    def url(self, mock: str) -> str:
        return self.sopost if mock == "sopost" else self.poplar

    def healthy(self, mock: str) -> bool:
        try:
            return requests.get(f"{self.url(mock)}/_mock/health", timeout=5).status_code == 200
        except requests.RequestException:
            return False


@contextmanager
def serve_mocks(*extra: str) -> Iterator[ServedMocks]:
    """Both mocks (no harness, no UI), quiet; Poplar accepts only :data:`POPLAR_TOKEN`."""
    sopost_port, poplar_port = free_port(), free_port()
    command = [
        str(Path(sys.executable).with_name("mockkit")), "serve", "--no-harness",
        "--ui-port", "0", "--quiet",
        "--sopost-port", str(sopost_port), "--poplar-port", str(poplar_port),
        "--tokens", POPLAR_TOKEN, "--rate-limit", "100000000/1s",
        "--client-timeout", str(CLIENT_TIMEOUT), *extra,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    served = ServedMocks(
        f"http://127.0.0.1:{sopost_port}", f"http://127.0.0.1:{poplar_port}", process.pid
    )
    try:
        wait_until(
            lambda: served.healthy("sopost") and served.healthy("poplar"),
            timeout=60,
            interval=0.1,
            message="mockkit serve up",
        )
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
