"""A wake that lands while a worker is claiming is not lost.

Before the fix a worker that had just found the inbox empty waited a whole poll interval even
when an event (or a stop) arrived between its claim and its wait; with a long poll interval
``stop()`` then ran into its join timeout and new events sat unforwarded.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from harness.worker import WorkerPool
from tests.support import wait_until

HOUR = 3600.0


class WakesDuringFirstClaim:
    """An inbox that is empty at the first claim, while an event arrives and wakes the pool."""

    def __init__(self) -> None:
        self.pool: WorkerPool | None = None
        self.claims = 0
        self.event = object()

    def claim(self, now: float, lease_seconds: float, token: str) -> Any:
        self.claims += 1
        if self.claims == 1:
            assert self.pool is not None
            self.pool.wake()  # the receiver stored an event while this claim was running
            return None
        return self.event if self.claims == 2 else None

    def next_due(self) -> float | None:
        return None


class RecordingProcessor:
    def __init__(self) -> None:
        self.processed: list[Any] = []

    def gated_until(self, now: float) -> float | None:
        return None

    def process(self, event: Any) -> None:
        self.processed.append(event)


def pool_over(store: WakesDuringFirstClaim, processor: RecordingProcessor) -> WorkerPool:
    pool = WorkerPool(
        store, processor, workers=1, lease_seconds=60.0, poll_interval=HOUR, clock=time.time
    )  # type: ignore[arg-type]
    store.pool = pool
    return pool


def test_an_event_stored_during_a_claim_is_claimed_without_waiting_a_poll_interval() -> None:
    store, processor = WakesDuringFirstClaim(), RecordingProcessor()
    pool = pool_over(store, processor)
    pool.start()
    try:
        wait_until(lambda: processor.processed == [store.event], message="event processed")
    finally:
        pool.stop(timeout=5.0)


class StopsDuringFirstClaim(WakesDuringFirstClaim):
    """An inbox whose first claim runs while another thread stops the pool."""

    def claim(self, now: float, lease_seconds: float, token: str) -> Any:
        assert self.pool is not None
        pool = self.pool
        self.stop_returned = threading.Event()
        threading.Thread(
            target=lambda: pool.stop(timeout=HOUR) and self.stop_returned.set(), daemon=True
        ).start()
        wait_until(pool._stopping.is_set, message="stop() has begun")
        return None


def test_a_stop_during_a_claim_is_not_missed() -> None:
    store = StopsDuringFirstClaim()
    pool = pool_over(store, RecordingProcessor())
    pool.start()
    wait_until(lambda: getattr(store, "stop_returned", None), message="first claim ran")
    wait_until(store.stop_returned.is_set, message="stop() returned with every worker gone")


class RetryDueSoon(WakesDuringFirstClaim):
    """An inbox whose only event was rescheduled to come back 50 ms from the first claim."""

    def __init__(self) -> None:
        super().__init__()
        self.due: float | None = None

    def claim(self, now: float, lease_seconds: float, token: str) -> Any:
        self.claims += 1
        if self.claims == 1:
            self.due = now + 0.05
        if self.due is None or now < self.due:
            return None
        self.due = None  # claimed: nothing waits any more
        return self.event

    def next_due(self) -> float | None:
        return self.due


def test_a_rescheduled_event_is_claimed_when_due_not_a_poll_interval_later() -> None:
    store, processor = RetryDueSoon(), RecordingProcessor()
    pool = pool_over(store, processor)  # polls once an hour
    pool.start()
    try:
        wait_until(lambda: processor.processed, timeout=5, message="the retry claimed")
    finally:
        pool.stop(timeout=5)
    # A few claims around the due time, not a busy loop over it.
    assert store.claims < 10 and len(processor.processed) == 1
