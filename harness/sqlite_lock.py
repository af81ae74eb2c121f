"""One writer at a time on a SQLite inbox, across threads and processes alike.

The harness's web process (acks, operator actions) and its worker process (claims, outcomes)
write the same file. SQLite's own lock makes a waiting writer poll with sleeps of up to
100 ms, which turned short waits into long ack tails; a kernel lock (``flock`` on a file
beside the database) queues the waiter instead and wakes it when the lock is free. Threads of
one process queue on a thread lock first, as one process holds one ``flock`` at a time.
"""

from __future__ import annotations

import fcntl
import os
import threading
from types import TracebackType

__all__ = ["WriterLock"]


class WriterLock:
    """A context manager held around every write transaction on ``database``."""

    def __init__(self, database: str) -> None:
        self._threads = threading.Lock()
        self._fd = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # waits in the kernel, without the GIL
        except BaseException:
            self._threads.release()
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        os.close(self._fd)
