"""A stop signal while `mockkit serve` starts a server never leaves that server orphaned."""

from __future__ import annotations

import contextlib
import os
import signal

import pytest

from mockkit import serve
from mockkit.serve import Service, Supervisor


def _exec(*argv: str, stdout: int | None = None):
    """A stand-in for the server: the forked child becomes ``argv``."""

    def main(*_: object) -> None:
        if stdout is not None:
            os.dup2(stdout, 1)
        os.execvp(argv[0], argv)

    return main


def test_a_sigterm_during_the_fork_still_stops_the_new_server(monkeypatch) -> None:
    """The signal lands just after the fork, before the supervisor has recorded the child:
    it must still know the child, so unwinding stops it."""
    monkeypatch.setattr(serve, "serve_forever", _exec("sleep", "60"))
    real_fork = os.fork
    children: list[int] = []

    def fork_then_signal() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
            os.kill(os.getpid(), signal.SIGTERM)  # due before ``fork`` has even returned
        return pid

    monkeypatch.setattr(serve.os, "fork", fork_then_signal)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(KeyboardInterrupt), Supervisor("127.0.0.1", echo=print) as supervisor:
            supervisor.start(Service("Server", 1, "unused:app", "/health"))
    finally:
        signal.signal(signal.SIGTERM, previous)
    (child,) = children
    with contextlib.suppress(ChildProcessError):  # already reaped by the supervisor's stop
        os.waitpid(child, 0)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # stopped by the supervisor, not orphaned


def test_the_server_starts_with_the_stop_signals_unblocked(monkeypatch) -> None:
    """They are held only around the fork: the server itself must still be stoppable."""
    read, write = os.pipe()
    monkeypatch.setattr(
        serve, "serve_forever", _exec("grep", "^SigBlk", "/proc/self/status", stdout=write)
    )
    supervisor = Supervisor("127.0.0.1", echo=print)
    monkeypatch.setattr(supervisor, "_wait_ready", lambda *_: None)
    supervisor.start(Service("Server", 1, "unused:app", "/health"))
    os.close(write)
    with os.fdopen(read) as lines:
        blocked = int(lines.read().split()[1], 16)
    assert supervisor.services[0].process.wait(timeout=10) == 0
    assert not blocked & (1 << (signal.SIGTERM - 1) | 1 << (signal.SIGINT - 1))


def test_a_sigterm_whose_interrupt_was_swallowed_still_stops_serving() -> None:
    """Raised inside a finaliser or a broad ``except``, the KeyboardInterrupt is lost; the
    supervisor's wait must still end (it ignored such a SIGTERM and served on)."""
    supervisor = Supervisor("127.0.0.1", echo=print)
    with contextlib.suppress(KeyboardInterrupt):  # as a library's ``except BaseException``
        supervisor._on_sigterm()
    assert supervisor.wait() == 0
