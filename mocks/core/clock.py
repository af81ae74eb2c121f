"""Mock time: a real or manual clock, and a scheduler of timed work driven by it.

Lifecycle transitions and webhook retries are scheduled here instead of sleeping, so tests can
advance a manual clock and have every due job run at once (like Stripe's test clocks), while
``--clock real`` runs them on a background thread at the right wall-clock moment.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["Clock", "ManualClock", "RealClock", "Scheduler", "iso_utc", "make_clock"]

log = logging.getLogger(__name__)


def iso_utc(epoch: float, *, whole_seconds: bool = False) -> str:
    """Epoch seconds as the APIs write instants: ISO 8601 in UTC with a ``Z``; or, with
    ``whole_seconds``, RFC 3339 to the second with ``+00:00``, as SoPost's one recorded order
    answer shows (``2021-06-15T11:19:24+00:00``)."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    if whole_seconds:
        return moment.isoformat(timespec="seconds")
    return moment.isoformat().replace("+00:00", "Z")


class Clock:
    """Wall-clock time in epoch seconds."""

    manual = False

    def now(self) -> float:
        return time.time()


class RealClock(Clock):
    """The machine's clock."""


class ManualClock(Clock):
    """A frozen clock that moves only when told to."""

    manual = True

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def set(self, when: float) -> None:
        with self._lock:
            self._now = when


def make_clock(kind: str, start: float | None = None) -> Clock:
    """``real`` or ``manual`` (the CLI's ``--clock``)."""
    if kind == "manual":
        return ManualClock(start)
    if kind == "real":
        return RealClock()
    raise ValueError(f"unknown clock {kind!r}: use 'real' or 'manual'")


@dataclass(order=True, slots=True)
class _Job:
    due: float
    sequence: int
    action: Callable[[], None] = field(compare=False)
    label: str = field(compare=False, default="")


class Scheduler:
    """Runs callables when the clock reaches their due time.

    With a manual clock nothing runs until :meth:`advance`; with a real clock call
    :meth:`start` to run due jobs on a daemon thread. Jobs run outside the scheduler's lock,
    so a job may schedule more jobs.
    """

    def __init__(self, clock: Clock, on_error: Callable[[str], None] | None = None) -> None:
        self.on_error = on_error  # told about a job that raised (it logs); default: the log
        self.clock = clock
        self._jobs: list[_Job] = []
        self._sequence = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def call_at(self, due: float, action: Callable[[], None], label: str = "") -> None:
        with self._changed:
            heapq.heappush(self._jobs, _Job(due, next(self._sequence), action, label))
            self._changed.notify()

    def call_later(self, delay: float, action: Callable[[], None], label: str = "") -> None:
        self.call_at(self.clock.now() + max(0.0, delay), action, label)

    def pending(self) -> list[tuple[float, str]]:
        """Due time and label of every waiting job, soonest first."""
        with self._changed:
            return [(job.due, job.label) for job in sorted(self._jobs)]

    def clear(self) -> None:
        with self._changed:
            self._jobs.clear()

    def run_due(self) -> int:
        """Run every job due by now (including ones that due jobs schedule); count them."""
        ran = 0
        while True:
            with self._changed:
                if not self._jobs or self._jobs[0].due > self.clock.now():
                    return ran
                job = heapq.heappop(self._jobs)
            self._run(job)
            ran += 1

    def advance(self, seconds: float) -> int:
        """Move a manual clock forward, running jobs in due order at their own due times."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("only a manual clock can be advanced; start with --clock manual")
        target = self.clock.now() + seconds
        ran = 0
        while True:
            with self._changed:
                job = self._jobs[0] if self._jobs else None
                if job is None or job.due > target:
                    break
                heapq.heappop(self._jobs)
                self.clock.set(max(self.clock.now(), job.due))
            self._run(job)
            ran += 1
        self.clock.set(target)
        return ran

    def _run(self, job: _Job) -> None:
        try:
            job.action()
        except Exception:  # a broken job must not stop the clock for every other job
            (self.on_error or log.exception)(f"scheduled job {job.label!r} failed")

    def start(self) -> None:
        """Run due jobs on a background thread (real clock only; manual clocks use advance)."""
        if self.clock.manual or self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="mock-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while True:
            with self._changed:
                if self._stopping:
                    return
                wait = None if not self._jobs else self._jobs[0].due - self.clock.now()
                if wait is None or wait > 0:
                    self._changed.wait(timeout=wait)
                    continue
            self.run_due()
