"""Deadlines: an await open past its deadline is cancelled and known as such; any other
cancellation stays the caller's own."""

from __future__ import annotations

import asyncio

import pytest

from servekit.deadlines import Deadlines
from tests.support import run_apart


async def _read(deadlines: Deadlines, wait: asyncio.Event) -> str:
    loop = asyncio.get_running_loop()
    task = deadlines.open(loop)
    try:
        await wait.wait()
        return "read"
    except asyncio.CancelledError:
        if not deadlines.expired(task):
            raise
        return "timed out"
    finally:
        deadlines.close(task)


def test_a_read_past_its_deadline_is_cut_and_not_left_cancelled() -> None:
    async def main() -> tuple[str, int, float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        task = asyncio.create_task(_read(Deadlines(0.05), asyncio.Event()))
        outcome = await task
        return outcome, task.cancelling(), loop.time() - started

    outcome, cancelling, took = run_apart(main)

    assert outcome == "timed out"
    assert cancelling == 0  # the deadline took its cancellation back
    assert took >= 0.05


def test_a_read_that_finishes_in_time_is_not_touched() -> None:
    async def main() -> str:
        deadlines, arrived = Deadlines(0.05), asyncio.Event()
        task = asyncio.create_task(_read(deadlines, arrived))
        await asyncio.sleep(0)
        arrived.set()
        outcome = await task
        await asyncio.sleep(0.15)  # sweeps pass: nothing of the closed read is left to cancel
        return outcome

    assert run_apart(main) == "read"


def test_someone_elses_cancellation_is_not_taken_for_a_timeout() -> None:
    async def main() -> None:
        task = asyncio.create_task(_read(Deadlines(10), asyncio.Event()))
        await asyncio.sleep(0)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        run_apart(main)


def test_each_of_many_reads_gets_its_own_deadline() -> None:
    async def main() -> list[str]:
        deadlines = Deadlines(0.05)
        arrived = asyncio.Event()
        slow = [asyncio.create_task(_read(deadlines, asyncio.Event())) for _ in range(3)]
        fast = asyncio.create_task(_read(deadlines, arrived))
        await asyncio.sleep(0)
        arrived.set()
        return [await t for t in (*slow, fast)]

    assert run_apart(main) == ["timed out"] * 3 + ["read"]
