"""Poplar's rate limit: fixed windows per token on the mock clock, and the header values.

The limit string (``--rate-limit 100/10s``) is parsed here and nowhere else. Windows align to
multiples of the period, so ``x-rate-limit-reset`` is the same for every request in a window and
a manual clock moves every window at once.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass

from mocks.core.clock import Clock

__all__ = ["RATE_LIMIT_HEADER", "RateLimit", "RateLimiter", "Window", "parse_rate_limit"]

RATE_LIMIT_HEADER = "x-rate-limit-limit"  # one of the three; present means counted


@dataclass(frozen=True)
class RateLimit:
    limit: int
    period: float  # seconds


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*(s|sec|m|min|h|hour)?\s*$")
_UNITS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}


def parse_rate_limit(text: str) -> RateLimit:
    """``"100/10s"``, ``"60/m"``, ``"5/1s"`` -> requests per window (the one parser)."""
    match = _RATE.match(text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"invalid rate limit {text!r}: use N/<period>, e.g. 100/10s or 60/m")
    count = float(match.group(2) or 1)
    period = count * _UNITS[match.group(3)]
    if period <= 0:
        raise ValueError(f"invalid rate limit {text!r}: the period must be positive")
    return RateLimit(int(match.group(1)), period)


@dataclass(frozen=True)
class Window:
    """One token's window as the rate-limit headers report it."""

    limit: int
    remaining: int
    reset: int  # epoch seconds

    def headers(self) -> dict[str, str]:
        return {
            RATE_LIMIT_HEADER: str(self.limit),
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(self.reset),
        }


class RateLimiter:
    """Fixed windows aligned to multiples of the period, counted per key (token)."""

    def __init__(self, rate: RateLimit, clock: Clock) -> None:
        self.rate = rate
        self.clock = clock
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def _start(self) -> float:
        return math.floor(self.clock.now() / self.rate.period) * self.rate.period

    def hit(self, key: str) -> tuple[Window, bool]:
        """Count a request; the window after it and whether the request is within the limit."""
        start = self._start()
        with self._lock:
            began, used = self._counts.get(key, (start, 0))
            used = 0 if began != start else used
            allowed = used < self.rate.limit
            used = used + 1 if allowed else used
            self._counts[key] = (start, used)
        return self._window(start, used), allowed

    def peek(self, key: str) -> Window:
        start = self._start()
        with self._lock:
            began, used = self._counts.get(key, (start, 0))
        return self._window(start, used if began == start else 0)

    def _window(self, start: float, used: int) -> Window:
        return Window(
            self.rate.limit, max(self.rate.limit - used, 0), math.ceil(start + self.rate.period)
        )
