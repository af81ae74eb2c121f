"""A stop signal while `mockkit serve` starts a server never leaves that server orphaned."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

import pytest

from mockkit import serve
from mockkit.serve import Service, Supervisor


def _exec(*argv: str):
    """A stand-in for the server: the forked child becomes ``argv``."""

    def main(*_: object) -> None:
        os.execvp(argv[0], argv)

    return main


@pytest.mark.parametrize("other_thread", [False, True])
def test_a_sigterm_during_the_fork_still_stops_the_new_server(monkeypatch, other_thread) -> None:
    """The signal lands just after the fork, before the supervisor has recorded the child:
    it must still know the child, so unwinding stops it. With another thread alive (as in a
    test run), the kernel may hand the signal to that thread, past the main thread's mask."""
    done = threading.Event()
    if other_thread:
        threading.Thread(target=done.wait, daemon=True).start()
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
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(KeyboardInterrupt), Supervisor("127.0.0.1", echo=print) as supervisor:
            supervisor.start(Service("Server", 1, "unused:app", "/health"))
    finally:
        done.set()
        for number, handler in previous.items():
            signal.signal(number, handler)
    (child,) = children
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if os.waitpid(child, os.WNOHANG)[0]:
                break
        except ChildProcessError:  # reaped by the supervisor's stop: it knew the child
            break
        time.sleep(0.01)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the server outlived its supervisor (orphaned)")


def test_a_sigterm_whose_interrupt_was_swallowed_still_stops_serving() -> None:
    """Raised inside a finaliser or a broad ``except``, the KeyboardInterrupt is lost; the
    supervisor's wait must still end (it ignored such a SIGTERM and served on)."""
    supervisor = Supervisor("127.0.0.1", echo=print)
    with contextlib.suppress(KeyboardInterrupt):  # as a library's ``except BaseException``
        supervisor._on_stop_signal()
    assert supervisor.wait() == 0


def test_a_server_stopped_before_it_answered_is_killed_at_once(monkeypatch) -> None:
    """granian loses a SIGTERM that comes while it starts, so a server stopped then (here one
    that ignores SIGTERM) ran on until the grace ran out; having served nothing, it is killed."""
    monkeypatch.setattr(serve, "serve_forever", _exec("sh", "-c", 'trap "" TERM; exec sleep 60'))
    monkeypatch.setattr(serve, "STOP_GRACE", 0.05)
    real_fork = os.fork

    def fork_then_signal() -> int:
        pid = real_fork()
        if pid:
            os.kill(os.getpid(), signal.SIGTERM)
        return pid

    monkeypatch.setattr(serve.os, "fork", fork_then_signal)
    said: list[str] = []
    service = Service("Server", 1, "unused:app", "/health")
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(KeyboardInterrupt), Supervisor("127.0.0.1", said.append) as supervisor:
            supervisor.start(service)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    assert service.process is not None and service.process.returncode == -signal.SIGKILL
    assert said == []  # not the grace's "had not stopped: killed after ..."
