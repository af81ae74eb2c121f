"""kill -9 during a burst, several times: nothing acknowledged is lost, nothing is doubled."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from mocks.core.server import free_port
from tests.integration.harness.harness_testkit import (
    POPLAR_TOKEN,
    SOPOST_PASSWORD,
    SOPOST_USER,
    WEBHOOK_SECRET,
    make_event,
    make_order,
    signed_headers,
)
from tests.support import wait_until

ORDERS = 300
KILLS = 6
WORKERS = 4


class HarnessProcess:
    """``python -m harness`` in its own process group, so SIGKILL takes granian's worker too."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.url = f"http://127.0.0.1:{env['PORT']}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "harness"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.healthy, timeout=15, message="harness /health")

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        self.proc.wait(10)
        self.proc = None


def conflicts_seen(fake_poplar) -> int:
    return sum(1 for _, code, _ in fake_poplar.requests if code == 409)


@pytest.mark.slow
def test_sigkill_during_a_burst_loses_and_duplicates_nothing(sopost_fake, poplar_fake, tmp_path):
    fake_sopost, sopost_server = sopost_fake
    fake_poplar, poplar_server = poplar_fake
    fake_poplar.latency = 0.005
    rng = random.Random(9)
    # Every fourth order has no consent: it must be skipped, crashes or not.
    orders = [
        fake_sopost.add(make_order("APPROVED", **({"consents": []} if n % 4 == 0 else {})))
        for n in range(ORDERS)
    ]
    eligible = {order["id"] for order in orders if order["consents"]}
    events = [make_event(order) for order in orders]
    events += rng.sample(events, 20)  # SoPost's duplicates

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_", "SOPOST_"))}
    env.update(
        SOPOST_API_URL=f"{sopost_server.url}/v1",
        SOPOST_API_USER=SOPOST_USER,
        SOPOST_API_PASSWORD=SOPOST_PASSWORD,
        SOPOST_WEBHOOK_SECRET=WEBHOOK_SECRET,
        POPLAR_API_URL=f"{poplar_server.url}/v1",
        POPLAR_API_TOKEN=POPLAR_TOKEN,
        HARNESS_DB=str(tmp_path / "crash.db"),
        PORT=str(free_port()),
        HARNESS_WORKERS=str(WORKERS),
        HARNESS_BACKOFF_BASE="0.01",
        HARNESS_BACKOFF_CAP="0.05",
        HARNESS_POLL_INTERVAL="0.02",
    )
    harness = HarnessProcess(env, tmp_path / "harness.log")
    acked: set[str] = set()
    sender_done = threading.Event()

    def send_all() -> None:
        """Deliver like SoPost does: resend until the receiver answers 2xx."""
        with requests.Session() as session:
            for event in events:
                body = json.dumps(event).encode()
                while True:
                    try:
                        response = session.post(
                            f"{harness.url}/webhooks/sopost",
                            data=body,
                            headers=signed_headers(body),
                            timeout=2,
                        )
                        if response.status_code == 202:
                            acked.add(event["event_id"])
                            break
                    except requests.RequestException:
                        pass
                    sender_done.wait(0.02)
        sender_done.set()

    kills: list[tuple[int, int]] = []  # (acked, forwarded) at each kill, for the report
    harness.start()
    sender = threading.Thread(target=send_all, daemon=True)
    try:
        sender.start()
        for _ in range(KILLS):
            # Let some work happen (webhooks and forwards in flight), then pull the plug.
            seen = len(fake_poplar.requests)
            wait_until(lambda s=seen: len(fake_poplar.requests) >= s + 5, timeout=15)
            threading.Event().wait(rng.uniform(0.0, 0.2))
            kills.append((len(acked), len(fake_poplar.orders)))
            harness.kill()
            harness.start()
        sender.join(30)
        assert sender_done.is_set()
        wait_until(lambda: eligible <= set(fake_poplar.orders), timeout=30, message="all forwarded")
        status = wait_until(
            lambda: (
                (s := requests.get(f"{harness.url}/status", timeout=2).json())["inbox"]["received"]
                + s["inbox"]["processing"]
                == 0
                and s
            ),
            timeout=15,
            message="inbox drained",
        )
    except BaseException:
        print(harness.log.read_text()[-5000:])
        raise
    finally:
        harness.kill(signal.SIGTERM)

    print(f"kills at (acked, forwarded): {kills}; 409s: {conflicts_seen(fake_poplar)}")
    assert len(acked) == ORDERS
    assert set(fake_poplar.orders) == eligible
    assert max(fake_poplar.created.values()) == 1
    # Each crash can leave at most one in-flight submit per worker to be recognised by 409.
    assert conflicts_seen(fake_poplar) <= KILLS * WORKERS
    assert status["forwarded"] == len(eligible)
    assert status["dead_letters"] == 0
    assert status["inbox"]["done"] + status["inbox"]["skipped"] == ORDERS
    assert status["skipped_by_reason"] == {"no_consent": ORDERS - len(eligible)}
