"""The worker pool in a process of its own, beside the web process that acknowledges webhooks.

One Python process runs one thread of Python at a time. With the workers beside the web
handlers, every ack waited for the workers' share of the interpreter (fetching, mapping,
submitting), and acks are what SoPost's senders wait on: measured on 2 cores, forwarding went
from about 155 to 185-208 orders/s, and SoPost's mean wait for an ack from 12.5 to about
10 ms, once they were split.

The web process starts the worker process and talks to it through one pipe: a byte per
stored event wakes a worker (a hint: a full pipe drops it, and workers poll anyway), and the
end of the pipe tells the worker process its web process is gone, however it died, so it
exits at once and never outlives it (a restarted harness would otherwise run two on one
inbox). A stop is SIGTERM: the workers finish their events first. The worker process runs
the same pool as the in-process mode (:func:`harness.service.worker_pool`) on its own
connections to the inbox, and is restarted if it dies.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from harness.config import HarnessConfig
from harness.logs import configure_logging, logging_configured

__all__ = ["CONFIG_ENV", "LOGS_ENV", "WAKE_FD_ENV", "WorkerProcess", "main"]

CONFIG_ENV = "HARNESS_WORKER_CONFIG"  # the configuration, as HarnessConfig.to_json()
WAKE_FD_ENV = "HARNESS_WORKER_WAKE_FD"  # the pipe's reading end
# "1" when the web process logs its decisions as JSON (python -m harness), so the worker
# process does too; embedded (mockkit serve, tests) neither prints them.
LOGS_ENV = "HARNESS_WORKER_LOGS"
# Seconds between restarts of a worker process that keeps dying.
RESTART_DELAY = 1.0
# Seconds a stopping worker process has to finish its events.
STOP_SECONDS = 10.0

log = logging.getLogger("harness")


class WorkerProcess:
    """The web process's handle on its worker process: the same face as a WorkerPool."""

    def __init__(self, config: HarnessConfig) -> None:
        self.config = config
        self._process: subprocess.Popen[bytes] | None = None
        self._wake_fd: int | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._watcher is not None:
                return
            self._spawn()
            self._watcher = threading.Thread(
                target=self._watch, name="harness-worker-process", daemon=True
            )
            self._watcher.start()

    def _spawn(self) -> None:
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        env = {
            **os.environ,
            CONFIG_ENV: self.config.to_json(),
            WAKE_FD_ENV: str(read_end),
            LOGS_ENV: "1" if logging_configured() else "0",
        }
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "harness.worker_process"], env=env, pass_fds=(read_end,)
            )
        except BaseException:
            os.close(write_end)
            raise
        finally:
            os.close(read_end)
        self._wake_fd = write_end

    def _watch(self) -> None:
        """Restart the worker process when it dies, unless we are stopping; a restart that
        fails (no memory, no file descriptors) is tried again after the same delay."""
        while not self._stopping.is_set():
            process = self._process
            code = process.wait() if process is not None else None
            if self._stopping.is_set():
                return
            log.error("worker process exited; restarting", extra={"fields": {"code": code}})
            if self._stopping.wait(RESTART_DELAY):
                return
            with self._lock:
                self._close_pipe()
                try:
                    self._spawn()
                except OSError:
                    self._process = None
                    log.exception("could not start the worker process")

    def wake(self) -> None:
        # Under the lock: a restart closes the pipe, and its number could meanwhile name
        # another file. A full pipe already holds enough wakes; a dead process is restarting.
        with self._lock, contextlib.suppress(OSError):
            if self._wake_fd is not None:
                os.write(self._wake_fd, b"w")

    def alive(self) -> int:
        """The configured worker count while the worker process runs, else 0."""
        process = self._process
        running = process is not None and process.poll() is None
        return self.config.workers if running else 0

    def stop(self, timeout: float = STOP_SECONDS) -> bool:
        """SIGTERM: each worker finishes its event, then the process exits; True if it did
        within ``timeout`` (else it is killed, and its events are recovered on next start)."""
        self._stopping.set()
        with self._lock:
            process = self._process
        stopped = True
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                stopped = False
        with self._lock:
            self._close_pipe()
        return stopped

    def _close_pipe(self) -> None:
        if self._wake_fd is not None:
            os.close(self._wake_fd)
            self._wake_fd = None


def _read_wakes(wake_fd: int, wake: Callable[[], None]) -> None:
    """Wake a worker per byte; at the end of the pipe, exit at once: the web process is gone
    (a stop would have come as SIGTERM first), and a restarted harness must not find this
    process still finishing events its recovery hands out again."""
    while chunk := os.read(wake_fd, 4096):
        for _ in range(min(len(chunk), 64)):
            wake()
    os._exit(1)


def main() -> int:
    """``python -m harness.worker_process``, started by :class:`WorkerProcess` only."""
    from harness.service import worker_pool
    from harness.stores import open_store

    # Ctrl-C reaches the whole process group: the web process decides when this one stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    config = HarnessConfig.from_json(os.environ[CONFIG_ENV])
    wake_fd = int(os.environ[WAKE_FD_ENV])
    if os.environ.get(LOGS_ENV) == "1":
        configure_logging()
    store = open_store(
        config.db_path, workers=config.workers, retry_seconds=config.db_retry_seconds
    )
    pool = worker_pool(config, store, time.time)
    recovered = store.recover(time.time())
    if recovered:
        log.warning("recovered events", extra={"fields": {"recovered": recovered}})
    pool.start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    threading.Thread(target=_read_wakes, args=(wake_fd, pool.wake), daemon=True).start()
    while not stopping.wait(1.0):
        pass
    pool.stop(timeout=STOP_SECONDS)  # each worker finishes its event
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
