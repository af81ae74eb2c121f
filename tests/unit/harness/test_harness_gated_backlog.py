"""A closed rate-limit gate leaves the backlog alone: no claims, no writes, one log line.

Before issue 12 every worker re-claimed, rescheduled and logged each backlog event whenever
the gate was closed (49,446 writes for 1,000 orders under 20 % 429s).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from urllib3 import HTTPResponse

from harness.backoff import Backoff
from harness.clients import PoplarClient, RateLimited
from harness.policy import ConsentPolicy
from harness.processor import Processor
from harness.sqlite_store import SqliteStore
from harness.store import NewEvent
from harness.worker import WorkerPool
from tests.support import wait_until
from tests.unit.harness.test_harness_processor import Clock, order

BACKLOG = 40


class CountingStore(SqliteStore):
    """Counts the calls that read or write event rows."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.calls: dict[str, int] = {"claim": 0, "reschedule": 0}
        self._count_lock = threading.Lock()

    def _count(self, name: str) -> None:
        with self._count_lock:
            self.calls[name] += 1

    def claim(self, *args: Any, **kwargs: Any):
        self._count("claim")
        return super().claim(*args, **kwargs)

    def reschedule(self, *args: Any, **kwargs: Any) -> bool:
        self._count("reschedule")
        return super().reschedule(*args, **kwargs)


class Vendors:
    """SoPost answers every order; Poplar answers ``poplar`` (an exception) every time."""

    def __init__(self, poplar: BaseException) -> None:
        self.poplar = poplar
        self.submits = 0
        self.lock = threading.Lock()

    def get_order(self, order_id: str) -> dict[str, Any]:
        return {**order(), "id": order_id}

    def submit_order(self, body: Any) -> str:
        with self.lock:
            self.submits += 1
        raise self.poplar


class CountingProcessor(Processor):
    """Counts gate checks and remembers which worker threads have seen the gate closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate_checks = 0
        self.parked: set[int] = set()

    def gated_until(self, now: float) -> float | None:
        self.gate_checks += 1
        until = super().gated_until(now)
        if until is not None:
            self.parked.add(threading.get_ident())
        return until


@pytest.fixture
def backlog(tmp_path: Path):
    store = CountingStore(str(tmp_path / "gate.db"))
    clock = Clock()
    for n in range(BACKLOG):
        store.add(NewEvent(f"{n:040x}", "APPROVED", f"order-{n}", "a", "{}"), clock.now)
    yield store, clock
    store.close()


def run_pool(store: CountingStore, clock: Clock, vendors: Vendors) -> WorkerPool:
    processor = CountingProcessor(
        store, vendors, vendors, ConsentPolicy.of(),
        backoff=Backoff(1.0, 60.0), max_attempts=3, clock=clock,
        logger=logging.getLogger("harness.worker"),
    )  # fmt: skip
    pool = WorkerPool(
        store, processor, workers=4, lease_seconds=60.0, poll_interval=0.005, clock=clock
    )
    pool.start()
    return pool


def test_a_closed_gate_stops_claims_writes_and_per_event_logs(backlog, caplog) -> None:
    store, clock = backlog
    caplog.set_level(logging.DEBUG, logger="harness.worker")
    # Quota exhausted until 30 s from now; the manual clock never gets there.
    vendors = Vendors(RateLimited("poplar rate limited (429)", clock.now + 30, remaining=0))
    pool = run_pool(store, clock, vendors)
    try:
        # A worker that saw the gate closed claims nothing more, and its last event is done
        # (a worker that checked just before the gate closed may still claim one and defer it).
        wait_until(
            lambda: (
                len(pool.processor.parked) == 4
                and store.stats(clock.now)["inbox"]["processing"] == 0
            ),
            message="every worker parked at the closed gate",
        )
        settled = dict(store.calls)
        checks = pool.processor.gate_checks
        # Let every worker loop many times while the gate is closed.
        wait_until(lambda: pool.processor.gate_checks > checks + 200, message="gate checks")
        assert store.calls == settled
    finally:
        pool.stop()
    # Only the events in flight when the gate closed were put back (at most one per worker):
    # workers that passed Poplar's gate before the first 429 closed it submitted too.
    assert 1 <= vendors.submits <= 4
    assert settled["claim"] <= 4 and settled["reschedule"] <= 4
    assert store.stats(clock.now)["inbox"]["received"] == BACKLOG
    loud = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.getMessage() for r in loud] == ["gate_closed"]


def test_a_429_that_says_requests_remain_defers_only_its_own_event(backlog) -> None:
    store, clock = backlog
    vendors = Vendors(RateLimited("poplar rate limited (429)", clock.now + 30, remaining=99))
    pool = run_pool(store, clock, vendors)
    try:
        # Every event reaches Poplar once and is deferred alone: nothing gates the others.
        wait_until(lambda: vendors.submits == BACKLOG, message="every event tried")
        wait_until(lambda: store.stats(clock.now)["inbox"]["processing"] == 0)
        assert pool.processor.gated_until(clock.now) is None
    finally:
        pool.stop()
    rows = [store.event(f"{n:040x}") for n in range(BACKLOG)]
    assert {(r["state"], r["next_attempt_at"], r["attempts"]) for r in rows} == {
        ("received", clock.now + 30, 0)
    }


@pytest.mark.parametrize(
    ("headers", "remaining", "exhausted"),
    [({"x-rate-limit-remaining": "0"}, 0, True), ({"x-rate-limit-remaining": "7"}, 7, False),
     ({}, None, True), ({"x-rate-limit-remaining": "lots"}, None, True)],
)  # fmt: skip
def test_the_client_reads_the_remaining_quota_of_a_429(headers, remaining, exhausted) -> None:
    response = HTTPResponse(b"", {"x-rate-limit-reset": "1030", **headers}, status=429)
    client = PoplarClient("http://127.0.0.1:9/v1", "token", 1.0, Clock())
    with pytest.raises(RateLimited) as raised:
        client._raise_for("poplar", response)
    assert (raised.value.remaining, raised.value.quota_exhausted) == (remaining, exhausted)
    assert raised.value.retry_at == 1030.0
