"""The request log's writer thread is drained when a forked server worker exits."""

from __future__ import annotations

import logging
import multiprocessing
from multiprocessing.util import Finalize
from pathlib import Path

from mocks.core.request_log import REQUEST_LOGGER, log_requests_to


def _worker(path: str) -> None:
    """A granian-like worker: logs a request and returns, so multiprocessing ends it with
    ``os._exit``. The writer's lock is held until the exit starts, so the line is still queued
    then and only the drain at exit can write it."""
    stream = Path(path).open("w")  # noqa: SIM115 (the writer holds it until the exit)
    listener = log_requests_to(stream, "%(message)s", "%H:%M:%S")
    writer = listener.handlers[0]
    writer.acquire()
    Finalize(None, writer.release, exitpriority=20)  # runs before the drain (10)
    logging.getLogger(REQUEST_LOGGER).info("GET /v1/orders 200")


def test_a_line_queued_just_before_a_forked_worker_exits_is_written(tmp_path: Path) -> None:
    log = tmp_path / "requests.log"
    child = multiprocessing.get_context("fork").Process(target=_worker, args=(str(log),))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert log.read_text() == "GET /v1/orders 200\n"
