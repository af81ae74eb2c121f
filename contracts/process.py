"""The integration under test as a child process: its own process group, output kept.

The command runs through the shell in a new session, so stopping it (SIGTERM, then SIGKILL
after a grace period) reaches every child it spawned, e.g. a server's worker processes.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping

__all__ = ["Integration", "StartupError", "port_open", "terminate_as_interrupt"]

_STOP = (signal.SIGINT, signal.SIGTERM)


class StartupError(RuntimeError):
    """The integration never listened on its port (or exited first)."""


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises KeyboardInterrupt as Ctrl-C does, so `timeout`, a
    cancelled CI job or `kill` unwind through the same clean-up. Python's own SIGTERM ends the
    process on the spot, and the integration, in a session of its own, was left running (seen:
    `mockkit verify --exec "python -m harness"` killed, the harness still on its port)."""

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait for the end of the block, then raise KeyboardInterrupt, so a
    child launched in it is recorded before the interrupt unwinds: raised inside ``Popen``
    once the child ran, it left the child running and unknown. Signal handlers belong to the
    main thread; elsewhere (a scenario restarting the integration) the block runs as is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    previous = {number: signal.signal(number, lambda n, _: came.append(n)) for number in _STOP}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if came:
        raise KeyboardInterrupt


class Integration:
    """``command`` with ``env``, listening on ``port``; keeps its last output lines."""

    def __init__(
        self,
        command: str,
        env: Mapping[str, str],
        port: int,
        host: str = "127.0.0.1",
        keep_lines: int = 200,
    ) -> None:
        self.command = command
        self.env = dict(env)
        self.port = port
        self.host = host
        self.output: collections.deque[str] = collections.deque(maxlen=keep_lines)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 30.0) -> None:
        """Start and wait until the port accepts connections; raise StartupError otherwise."""
        with _interrupts_deferred():
            self.process = subprocess.Popen(
                self.command,
                shell=True,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.starts += 1
            threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not port_open(self.host, self.port):
            if self.process.poll() is not None:
                raise StartupError(
                    f"the integration exited with code {self.process.returncode}"
                    f" before listening on port {self.port}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise StartupError(
                    f"the integration did not listen on port {self.port} within {timeout:g} s"
                )
            time.sleep(0.05)

    def _pump(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        with process.stdout as lines:
            for raw in lines:
                self.output.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 5.0) -> int | None:
        """SIGTERM the process group, SIGKILL it after ``grace`` seconds; return the code."""
        return self._signal(((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)))

    def kill(self) -> int | None:
        """SIGKILL the whole process group at once, as a crash or the OOM killer would."""
        return self._signal(((signal.SIGKILL, 5.0),))

    def _signal(self, steps: tuple[tuple[signal.Signals, float], ...]) -> int | None:
        process, self.process = self.process, None
        if process is None:
            return None
        for sig, wait in steps:
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Children that ignored SIGTERM but outlived the shell still get the SIGKILL.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.returncode

    def tail(self, lines: int = 20) -> list[str]:
        return list(self.output)[-lines:]
