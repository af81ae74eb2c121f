"""The request log line, formatted and written off the request thread.

Profiling ``mockkit serve`` under load put 45 % of a request's time in the log handler's lock:
every request thread formatted its line and waited its turn to write it. Here a request
thread only queues the unformatted record (its arguments are plain strings and numbers);
one writer thread formats and writes them in order, so a slow terminal or pipe delays lines,
never answers. The writer wakes at most every ``BATCH_SECONDS`` and writes what has queued up
in one go: woken per line, it took the interpreter from the server 2,700 times a second, and
request logging cost 18 % of SoPost's throughput.

The writer is drained when the process ends. granian's worker is a forked multiprocessing
child, which leaves through ``os._exit`` without running ``atexit`` handlers (the lines a
request queued just before SIGTERM were lost), so the drain is a multiprocessing finalizer:
those run at a child's exit and, through multiprocessing's own ``atexit`` hook, at any other.
"""

from __future__ import annotations

import logging
import queue
import time
from logging.handlers import QueueHandler, QueueListener
from multiprocessing.util import Finalize
from typing import TextIO

__all__ = ["REQUEST_LOGGER", "log_requests_to"]

REQUEST_LOGGER = "mockkit.requests"
BATCH_SECONDS = 0.05  # how long a line may wait for others to be written with it


class _DeferredHandler(QueueHandler):
    """Queues the record as it is: formatting happens on the writer thread."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


class _BatchingListener(QueueListener):
    """Writes the queued records in batches: one write and one flush for all of them."""

    def _monitor(self) -> None:
        while True:
            batch = [self.dequeue(True)]  # sleep until there is something to write
            time.sleep(BATCH_SECONDS)
            while True:
                try:
                    batch.append(self.dequeue(False))
                except queue.Empty:
                    break
            records = [record for record in batch if record is not self._sentinel]
            (writer,) = self.handlers  # the one StreamHandler of log_requests_to
            text = "".join(writer.format(record) + writer.terminator for record in records)
            with writer.lock:  # type: ignore[union-attr]
                writer.stream.write(text)  # type: ignore[attr-defined]
                writer.flush()
            if len(records) < len(batch):  # stop() was called
                return


def log_requests_to(stream: TextIO, fmt: str, datefmt: str) -> QueueListener:
    """Send ``mockkit.requests`` lines to ``stream`` through a writer thread (started here,
    stopped and drained at exit)."""
    writer = logging.StreamHandler(stream)
    writer.setFormatter(logging.Formatter(fmt, datefmt))
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = _BatchingListener(records, writer)
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.handlers[:] = [_DeferredHandler(records)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    listener.start()
    Finalize(None, listener.stop, exitpriority=10)
    return listener
