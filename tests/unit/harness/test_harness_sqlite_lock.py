"""harness.sqlite_lock.WriterLock: one writer at a time across processes, not only threads."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.sqlite_lock import WriterLock

HOLD = """
import sys
from harness.sqlite_lock import WriterLock
lock = WriterLock(sys.argv[1])
with lock:
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


def test_a_writer_in_another_process_holds_the_lock_until_it_is_done(tmp_path: Path) -> None:
    database = str(tmp_path / "inbox.db")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, database],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[3],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        probe = os.open(f"{database}-writer.lock", os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.communicate("", timeout=10)
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the holder is done
        os.close(probe)
    finally:
        holder.kill()
        holder.wait()


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    lock = WriterLock(str(tmp_path / "inbox.db"))
    with lock:
        assert not lock._threads.acquire(blocking=False)
    assert lock._threads.acquire(blocking=False)
    lock._threads.release()
    lock.close()
