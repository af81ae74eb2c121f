"""Retry schedule: exponential backoff with jitter, plus a shared "not before" gate.

Retries are never slept on inside a worker thread: a failed event is rescheduled with a
``next_attempt_at`` and the thread moves on. Jitter spreads a burst of failures so they do
not all come back at the same instant; the gate lets one 429 pause every worker that talks to
the same vendor instead of each of them discovering the limit separately.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

__all__ = ["Backoff", "RateGate"]


@dataclass(frozen=True)
class Backoff:
    """``delay(n)`` for the n-th failed attempt (1-based): equal jitter over base * 2**(n-1).

    Half of the exponential step is fixed so a retry never comes back immediately, the other
    half is random; the step is capped at ``cap`` seconds.
    """

    base: float = 1.0
    cap: float = 300.0

    def ceiling(self, attempt: int) -> float:
        exponent = min(max(attempt, 1) - 1, 62)  # avoid float overflow for silly attempt counts
        return min(self.cap, self.base * (2.0**exponent))

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        step = self.ceiling(attempt)
        return step / 2 + (rng or random).uniform(0, step / 2)


class RateGate:
    """Earliest time (epoch seconds) at which a vendor may be called again; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._not_before = 0.0

    def block_until(self, when: float) -> bool:
        """Close the gate until ``when``; True when this call moved the reopening time.

        Several workers can get the same 429 at once: only the first one to close the gate
        learns it did, so the pause is logged once, not once per worker or per event.
        """
        with self._lock:
            if when <= self._not_before:
                return False
            self._not_before = when
            return True

    def blocked_until(self, now: float) -> float | None:
        with self._lock:
            return self._not_before if self._not_before > now else None
