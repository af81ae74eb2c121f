"""Deadlines for many short awaits on one event loop, kept by one timer instead of one each.

``asyncio.timeout`` looks up the running loop and task, and arms and disarms a timer, on every
use: 4.5 % of the Poplar mock's ``POST /v1/order`` on the server, where nearly every body
has arrived with its head and the read returns at once. Here starting a read costs a
dictionary entry; a sweep every ``period`` seconds, scheduled only while reads are open,
cancels those past their deadline. A deadline so holds to within one period.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["Deadlines"]

# The sweep's period, as a share of the deadline, and its bounds in seconds.
_SHARE, _SHORTEST, _LONGEST = 0.1, 0.01, 0.5


class Deadlines:
    """``open()`` inside a task starts its deadline of ``seconds``; ``close(task)`` ends it.
    A task still open past its deadline is cancelled; :meth:`expired` then tells that
    cancellation from any other, and takes it back (``Task.uncancel``)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.period = min(max(seconds * _SHARE, _SHORTEST), _LONGEST)
        self._open: dict[asyncio.Task[Any], float] = {}
        self._cancelled: set[asyncio.Task[Any]] = set()
        self._swept_on: asyncio.AbstractEventLoop | None = None  # the loop a sweep waits on

    def open(self, loop: asyncio.AbstractEventLoop) -> asyncio.Task[Any]:
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("a deadline needs a task to cancel")
        self._open[task] = loop.time() + self.seconds
        if self._swept_on is not loop:
            self._swept_on = loop
            loop.call_later(self.period, self._sweep, loop)
        return task

    def close(self, task: asyncio.Task[Any]) -> None:
        self._open.pop(task, None)

    def expired(self, task: asyncio.Task[Any]) -> bool:
        """Whether the deadline cancelled ``task`` (it then counts as not cancelled)."""
        if task not in self._cancelled:
            return False
        self._cancelled.discard(task)
        task.uncancel()
        return True

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for task, deadline in list(self._open.items()):
            if deadline <= now:
                del self._open[task]
                self._cancelled.add(task)
                task.cancel()
        if self._open:
            loop.call_later(self.period, self._sweep, loop)
        else:
            self._swept_on = None
