"""Helpers shared by the test suites: waiting for async work without sleeping blindly, running
a coroutine on an event loop of its own, and the SoPost subscription most tests make."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from mocks.sopost.fixtures import GUIDE

T = TypeVar("T")
LOOP_THREAD = "event-loop"  # the thread run_apart runs its loop on


def wait_until(
    probe: Callable[[], T],
    timeout: float = 10.0,
    interval: float = 0.01,
    message: str = "condition",
) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def run_apart(main: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
    """``asyncio.run(main())`` on a thread of its own, as granian runs its loop: the test's own
    thread may already run one (Playwright's, earlier in the suite). Its exception is raised
    here; a loop still running after ``timeout`` seconds fails the test."""
    outcome: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(main()))  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the test below
            failure.append(exc)

    loop = threading.Thread(target=run, name=LOOP_THREAD)
    loop.start()
    loop.join(timeout)
    assert not loop.is_alive(), f"the event loop was still running after {timeout} s"
    if failure:
        raise failure[0]
    return outcome[0]


def children(pid: int) -> list[int]:
    """The processes ``pid`` has started (from any of its threads) that are still its own."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def running(pid: int) -> bool:
    """The process has not exited (a zombie, exited but not yet reaped by its parent, has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def organisation_subscription(url: str = "http://127.0.0.1:9/hook") -> dict[str, Any]:
    """A ``POST /webhooks`` body: every OrderEvent of the guide's organisation to ``url``."""
    return {
        "url": url,
        "events": ["OrderEvent"],
        "entity_type": "Organisation",
        "entity_id": GUIDE.organisation,
    }
