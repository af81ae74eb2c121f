"""The worker pool: threads that claim due events and hand them to the processor.

The pool runs in a worker process beside the web process (:mod:`harness.worker_process`), or
in the web process itself (``HARNESS_WORKER_PROCESS=0``, and a harness embedded in tests).
The receiver wakes a worker when an event arrives so forwarding starts at once; otherwise they
poll, which is also what picks up rescheduled retries and events whose lease expired.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Protocol

from harness.processor import Processor
from harness.store import InboxStore

__all__ = ["WorkerPool"]


class Closeable(Protocol):
    def close(self) -> None: ...


class WorkerPool:
    def __init__(
        self,
        store: InboxStore,
        processor: Processor,
        *,
        workers: int,
        lease_seconds: float,
        poll_interval: float,
        clock: Callable[[], float],
        logger: logging.Logger | None = None,
        closing: Iterable[Closeable] = (),
    ) -> None:
        self.store = store
        self.processor = processor
        self.size = workers
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.clock = clock
        self.log = logger or logging.getLogger("harness.worker")
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        # Counts wakes, so a wake (or stop) that lands while a worker is claiming, before it
        # waits, is seen instead of costing that worker a whole poll interval.
        self._wakes = 0
        self._threads: list[threading.Thread] = []
        self._closing = tuple(closing)  # what the workers use, released once they stopped

    def start(self) -> None:
        if self._threads:
            return
        for index in range(self.size):
            # Daemon threads: a stuck vendor call must not keep a stopping process alive; an
            # unfinished event is recovered from the inbox on the next start.
            thread = threading.Thread(target=self._run, name=f"harness-worker-{index}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def wake(self) -> None:
        """One event arrived: one idle worker is enough (every busy one looks again anyway
        before it waits), so the others do not all race to claim it."""
        with self._wake:
            self._wakes += 1
            self._wake.notify()

    def alive(self) -> int:
        return sum(thread.is_alive() for thread in self._threads)

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask every worker to finish its current event and exit; True when all did."""
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        for resource in self._closing:
            resource.close()
        return self.alive() == 0

    def _idle(self, seconds: float, wakes_seen: int) -> None:
        """Wait up to ``seconds`` for a wake, unless one arrived since ``wakes_seen``."""
        with self._wake:
            if self._wakes == wakes_seen and not self._stopping.is_set():
                self._wake.wait(seconds)

    def _until_due(self, now: float) -> float:
        """Seconds to wait with nothing to claim: until the earliest rescheduled event is due
        (a retry comes back on time, not up to a poll interval late), at most a poll interval.
        An event already due is held by its order's claim: the poll picks it up."""
        due = self.store.next_due()
        if due is None or due <= now:
            return self.poll_interval
        return min(due - now, self.poll_interval)

    def _run(self) -> None:
        while not self._stopping.is_set():
            wakes_seen = self._wakes
            now = self.clock()
            if (until := self.processor.gated_until(now)) is not None:
                # A vendor asked us to wait: leave the backlog alone until its gate reopens.
                self._idle(min(until - now, self.poll_interval), wakes_seen)
                continue
            try:
                event = self.store.claim(now, self.lease_seconds, uuid.uuid4().hex)
                if event is None:
                    self._idle(self._until_due(now), wakes_seen)
                    continue
            except Exception:
                if self._stopping.is_set():
                    return
                self.log.exception("claim failed")
                self._stopping.wait(self.poll_interval)
                continue
            try:
                self.processor.process(event)
            except Exception as exc:
                self.log.exception(
                    "processing failed",
                    extra={"fields": {"event_id": event.event_id, "order_id": event.order_id}},
                )
                try:
                    self.processor.fail(event, exc)
                except Exception:
                    # The lease expires and another worker (or the next start) picks it up.
                    self.log.exception("could not reschedule after failure")
