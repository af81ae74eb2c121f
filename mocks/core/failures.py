"""Exceptions raised inside a mock, kept for whoever runs it in-process.

A handler, a scheduled job or the webhook dispatcher that raises is a bug (of the mock, or of
what a test set up), and a log line is easy to miss. Each mock keeps the tracebacks here; the
pytest plugin takes them after every test and fails that test with them, as
pytest-httpserver does with errors raised in its server thread.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import deque

__all__ = ["Failures"]

log = logging.getLogger("mockkit.failures")


class Failures:
    """A bounded, thread-safe list of tracebacks, oldest first."""

    def __init__(self, capacity: int = 100) -> None:
        self._items: deque[str] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def record(self, where: str) -> None:
        """Log and keep ``where`` and the traceback being handled (call it inside ``except``)."""
        log.exception("%s", where)
        with self._lock:
            self._items.append(f"{where}\n{traceback.format_exc()}")

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def take(self) -> list[str]:
        """Every traceback recorded since the last call."""
        with self._lock:
            items = list(self._items)
            self._items.clear()
        return items
