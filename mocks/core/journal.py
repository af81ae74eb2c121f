"""The request journal: every vendor request the mock saw, with its validation verdict.

Tests and the contract kit assert on the journal rather than on log text. A vendor can pass a
``redact`` function so data it must never keep (Poplar's raw ``customer_email``) is removed
before an entry is stored.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Journal", "JournalEntry"]


@dataclass
class JournalEntry:
    id: int
    time: float
    method: str
    path: str
    query: str
    status: int
    verdict: str  # valid, invalid, unmatched, unmodelled, rejected (auth/limits) or fault
    operation_id: str | None
    error: str | None
    body: Any
    account: str | None
    duration_ms: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """A bounded, thread-safe log of requests, newest last."""

    def __init__(self, capacity: int = 10_000, redact: Callable[[Any], Any] | None = None) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._redact = redact or (lambda body: body)

    def record(self, **fields: Any) -> JournalEntry:
        fields["body"] = self._redact(fields.get("body"))
        with self._lock:
            entry = JournalEntry(id=next(self._ids), **fields)
            self._entries.append(entry)
        return entry

    def entries(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        verdict: str | None = None,
        since_id: int = 0,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """Entries matching every given filter (``path`` matches as a prefix), oldest first."""
        with self._lock:
            snapshot = list(self._entries)
        found = [
            entry
            for entry in snapshot
            if entry.id > since_id
            and (method is None or entry.method == method.upper())
            and (path is None or entry.path.startswith(path))
            and (status is None or entry.status == status)
            and (verdict is None or entry.verdict == verdict)
        ]
        return found[-limit:] if limit else found

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
        return count
