"""A stop signal while `mockkit serve` starts a server never leaves that server orphaned."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import Any

import pytest

from mockkit import serve
from mockkit.serve import Service, Supervisor


def test_a_sigterm_during_the_fork_still_stops_the_new_server(monkeypatch) -> None:
    """The signal lands while ``Popen`` runs (the child exists, ``Popen`` has not returned):
    the supervisor must still know the child, so unwinding stops it."""
    started: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def popen_then_signal(*_: Any, **kwargs: Any) -> subprocess.Popen:
        child = real_popen(["sleep", "60"], **kwargs)
        started.append(child)
        os.kill(os.getpid(), signal.SIGTERM)  # handled before Popen would return
        return child

    monkeypatch.setattr(serve.subprocess, "Popen", popen_then_signal)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(KeyboardInterrupt), Supervisor("127.0.0.1", echo=print) as supervisor:
            supervisor.start(Service("Server", 1, "unused:app", "/health"))
    finally:
        signal.signal(signal.SIGTERM, previous)
    (child,) = started
    assert child.wait(timeout=10) == -signal.SIGTERM  # stopped by the supervisor, not orphaned


def test_the_server_starts_with_the_stop_signals_unblocked(monkeypatch) -> None:
    """They are held only around the fork: the server itself must still be stoppable."""
    # The "server" prints its own blocked-signal mask.
    monkeypatch.setattr(
        serve, "granian_command", lambda *_, **__: ["grep", "^SigBlk", "/proc/self/status"]
    )
    supervisor = Supervisor("127.0.0.1", echo=print)
    monkeypatch.setattr(supervisor, "_wait_ready", lambda *_: None)
    real_popen = subprocess.Popen
    monkeypatch.setattr(
        serve.subprocess,
        "Popen",
        lambda command, **kwargs: real_popen(command, stdout=subprocess.PIPE, text=True, **kwargs),
    )
    supervisor.start(Service("Server", 1, "unused:app", "/health"))
    (service,) = supervisor.services
    out, _ = service.process.communicate(timeout=10)
    blocked = int(out.split()[1], 16)
    assert not blocked & (1 << (signal.SIGTERM - 1) | 1 << (signal.SIGINT - 1))


def test_a_sigterm_whose_interrupt_was_swallowed_still_stops_serving() -> None:
    """Raised inside a finaliser or a broad ``except``, the KeyboardInterrupt is lost; the
    supervisor's wait must still end (it ignored such a SIGTERM and served on)."""
    supervisor = Supervisor("127.0.0.1", echo=print)
    with contextlib.suppress(KeyboardInterrupt):  # as a library's ``except BaseException``
        supervisor._on_sigterm()
    assert supervisor.wait() == 0
