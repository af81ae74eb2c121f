"""harness.worker_process.WorkerProcess, with the process itself faked: restarts and stops."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from harness import worker_process
from harness.config import HarnessConfig
from harness.worker_process import WorkerProcess
from tests.support import wait_until

CONFIG = HarnessConfig("http://127.0.0.1:9/v1", "user", "pass", "http://127.0.0.1:9/v1", "t")


class FakeProcess:
    """Runs until ``exit()``; counts the signals it gets."""

    def __init__(self) -> None:
        self.exited = threading.Event()
        self.terminated = 0

    def wait(self, timeout: float | None = None) -> int:
        self.exited.wait(timeout)
        return -9

    def poll(self) -> int | None:
        return -9 if self.exited.is_set() else None

    def terminate(self) -> None:
        self.terminated += 1
        self.exited.set()

    def exit(self) -> None:
        self.exited.set()


class Launcher:
    """subprocess.Popen's stand-in: every second launch fails, as with no memory to fork."""

    def __init__(self) -> None:
        self.launched: list[FakeProcess] = []
        self.attempts = 0

    def __call__(self, *args: Any, **kwargs: Any) -> FakeProcess:
        self.attempts += 1
        if self.attempts == 2:
            raise OSError(12, "Cannot allocate memory")
        self.launched.append(FakeProcess())
        return self.launched[-1]


@pytest.fixture
def launcher(monkeypatch: pytest.MonkeyPatch) -> Launcher:
    fake = Launcher()
    monkeypatch.setattr(worker_process.subprocess, "Popen", fake)
    monkeypatch.setattr(worker_process, "RESTART_DELAY", 0.01)
    return fake


def test_a_dead_worker_process_is_restarted_even_after_a_failed_launch(launcher) -> None:
    handle = WorkerProcess(CONFIG)
    handle.start()
    try:
        assert handle.alive() == CONFIG.workers
        launcher.launched[0].exit()
        wait_until(lambda: len(launcher.launched) == 2, message="a second worker process")
        assert launcher.attempts == 3  # the failed launch was tried again
        wait_until(lambda: handle.alive() == CONFIG.workers, message="alive again")
    finally:
        assert handle.stop(timeout=5)
    assert launcher.launched[-1].terminated == 1
    assert handle.alive() == 0


def test_a_stopped_handle_restarts_nothing(launcher) -> None:
    handle = WorkerProcess(CONFIG)
    handle.start()
    assert handle.stop(timeout=5)
    assert launcher.attempts == 1
    handle.wake()  # the pipe is closed: a wake is dropped, not an error
