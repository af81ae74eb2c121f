"""The request log line, formatted and written off the request thread.

Profiling ``mockkit serve`` under load put 45 % of a request's time in the log handler's lock:
every request thread formatted its line and waited its turn to write it. Here a request
thread only queues the unformatted record (its arguments are plain strings and numbers);
one writer thread formats and writes them in order, so a slow terminal or pipe delays lines,
never answers.

The writer is drained when the process ends. granian's worker is a forked multiprocessing
child, which leaves through ``os._exit`` without running ``atexit`` handlers (the lines a
request queued just before SIGTERM were lost), so the drain is a multiprocessing finalizer:
those run at a child's exit and, through multiprocessing's own ``atexit`` hook, at any other.
"""

from __future__ import annotations

import logging
import queue
from logging.handlers import QueueHandler, QueueListener
from multiprocessing.util import Finalize
from typing import TextIO

__all__ = ["REQUEST_LOGGER", "log_requests_to"]

REQUEST_LOGGER = "mockkit.requests"


class _DeferredHandler(QueueHandler):
    """Queues the record as it is: formatting happens on the writer thread."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


def log_requests_to(stream: TextIO, fmt: str, datefmt: str) -> QueueListener:
    """Send ``mockkit.requests`` lines to ``stream`` through a writer thread (started here,
    stopped and drained at exit)."""
    writer = logging.StreamHandler(stream)
    writer.setFormatter(logging.Formatter(fmt, datefmt))
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = QueueListener(records, writer)
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.handlers[:] = [_DeferredHandler(records)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    listener.start()
    Finalize(None, listener.stop, exitpriority=10)
    return listener
