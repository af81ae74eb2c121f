"""Group commit: concurrent writers share one transaction, and so one fsync.

Each acknowledged webhook must be on disk before its 202. One fsync per event caps the
receiver at the disk's sync rate; batching the events that arrive while a commit is in flight
keeps every ack durable while the number of fsyncs follows the load, not the event count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

__all__ = ["GroupCommitter"]

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommitter(Generic[Item, Result]):
    """Runs ``flush(batch)`` on one thread for everything queued since the last flush."""

    def __init__(self, flush: Callable[[list[Item]], list[Result]], name: str) -> None:
        self._flush = flush
        self._queue: list[tuple[Item, Future[Result]]] = []
        self._ready = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, item: Item) -> Result:
        """Queue ``item`` and wait until the batch holding it is committed."""
        future: Future[Result] = Future()
        with self._ready:
            if self._stopping:
                raise RuntimeError("group committer is stopped")
            self._queue.append((item, future))
            self._ready.notify()
        return future.result()

    def stop(self) -> None:
        with self._ready:
            self._stopping = True
            self._ready.notify()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._stopping:
                    self._ready.wait()
                if not self._queue:
                    return
                batch, self._queue = self._queue, []
            try:
                results = self._flush([item for item, _ in batch])
            except BaseException as exc:  # every waiter learns the batch failed
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)
