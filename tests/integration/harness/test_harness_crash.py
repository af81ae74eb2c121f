"""kill -9 during a burst, several times: nothing acknowledged is lost, nothing is doubled."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
import requests

from contracts.servers import integration_env
from mocks.core.server import free_port
from tests.integration.harness.rig import FILTERING, Vendors, event_for, signed_headers, vendors
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


def accepted(mocks: Vendors) -> Counter[str]:
    """How many submits of each order Poplar accepted (stored)."""
    return Counter(s["body"]["order_id"] for s in mocks.submits() if s["status"] == 200)


def new_submits(mocks: Vendors, since_id: int, at_least: int) -> bool:
    """Poplar received ``at_least`` submits after journal entry ``since_id``."""
    found = mocks.poplar.requests(
        method="POST", path="/v1/order", since_id=since_id, limit=at_least
    )
    return len(found) >= at_least


def last_submit(mocks: Vendors) -> int:
    found = mocks.poplar.requests(method="POST", path="/v1/order", limit=1)
    return found[0]["id"] if found else 0


def conflicts_seen(mocks: Vendors) -> int:
    return sum(1 for s in mocks.submits() if s["status"] == 409)


@pytest.mark.slow
def test_sigkill_during_a_burst_loses_and_duplicates_nothing(harness_db: str, tmp_path: Path):
    with vendors() as mocks:
        burst(mocks, harness_db, tmp_path)


def burst(mocks: Vendors, harness_db: str, tmp_path: Path) -> None:
    rng = random.Random(9)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    # Every fourth order has no consent: it must be skipped, crashes or not. Nothing is
    # subscribed: the test delivers the webhooks itself, resending like SoPost until a 202.
    orders = [
        mocks.sopost.create_order(outcome="APPROVED", **({"consents": []} if n % 4 == 0 else {}))
        for n in range(ORDERS)
    ]
    mocks.sopost.advance_clock(FILTERING)  # every order APPROVED
    eligible = {order["id"] for order in orders if order["consents"]}
    events = [event_for(order) for order in orders]
    events += rng.sample(events, 20)  # SoPost's duplicates

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_", "SOPOST_"))}
    env = integration_env(
        mocks.sopost.url, mocks.poplar.url, free_port(), *mocks.auth, secret, base=clean
    )
    env.update(
        HARNESS_DB=harness_db,
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
                            headers=signed_headers(body, secret),
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
            # Let some work happen (webhooks and forwards in flight), then pull the plug. A
            # quick harness may have forwarded every order before the last kill: then there is
            # nothing left to wait for (the kill still has to lose nothing).
            mark = last_submit(mocks)
            wait_until(
                lambda m=mark: new_submits(mocks, m, 5) or eligible <= set(mocks.stored()),
                timeout=15,
                interval=0.02,
            )
            threading.Event().wait(rng.uniform(0.0, 0.2))
            kills.append((len(acked), len(mocks.stored())))
            harness.kill()
            harness.start()
        sender.join(30)
        assert sender_done.is_set()
        wait_until(
            lambda: eligible <= set(mocks.stored()),
            timeout=30,
            interval=0.1,
            message="all forwarded",
        )
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

    print(f"kills at (acked, forwarded): {kills}; 409s: {conflicts_seen(mocks)}")
    assert len(acked) == ORDERS
    assert set(mocks.stored()) == eligible
    assert accepted(mocks) == Counter(eligible)
    # Each crash can leave at most one in-flight submit per worker to be recognised by 409.
    assert conflicts_seen(mocks) <= KILLS * WORKERS
    assert status["forwarded"] == len(eligible)
    assert status["dead_letters"] == 0
    assert status["inbox"]["done"] + status["inbox"]["skipped"] == ORDERS
    assert status["skipped_by_reason"] == {"no_consent": ORDERS - len(eligible)}
