"""`mockkit serve`: run each service in its own granian server process and supervise them.

Each mock keeps its state in memory, so each is exactly one worker process; granian was chosen
over waitress and gunicorn by measurement (bench/wsgi_servers.py, figures in the README). Each
server is forked from this process (:class:`ForkedServer`), not started as a new interpreter:
granian and the CLI's own modules are loaded once, which took 40 ms off the first server's
start and more off the others'. The supervisor waits for every service to answer, prints how
to reach it, and on Ctrl-C or SIGTERM stops them all; if one dies, it stops the rest and exits
non-zero.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from servekit.launch import serve as serve_forever
from servekit.settings import DEFAULT_CLIENT_TIMEOUT

__all__ = [
    "ForkedServer",
    "Service",
    "Supervisor",
    "http_client",
    "options_env",
    "reachable",
]


@dataclass
class Service:
    name: str
    port: int
    target: str  # "module:factory"
    health_path: str
    env: dict[str, str] = field(default_factory=dict)
    process: ForkedServer | None = None
    ready: bool = False  # it has answered its health check

    def url(self, host: str) -> str:
        return f"http://{host}:{self.port}"


def http_client() -> ModuleType:
    """requests, imported when first needed: the supervisor first asks while its first server
    is starting, so the import runs beside it instead of before it (cold start)."""
    import requests

    return requests


def reachable(host: str) -> str:
    """Where this process reaches a server bound to ``host`` (a wildcard: over loopback)."""
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host


def options_env(variable: str, options: dict[str, Any]) -> dict[str, str]:
    return {variable: json.dumps(options)}


class Supervisor:
    """Starts services in order, waits for each, and stops them together.

    Use it as a context manager: from entry on, SIGTERM and Ctrl-C unwind through ``__exit__``,
    which stops every child, so no server is ever orphaned, even by a signal during start-up.
    """

    def __init__(
        self,
        host: str,
        echo: Callable[[str], None],
        client_timeout: float = DEFAULT_CLIENT_TIMEOUT,
    ) -> None:
        self.host = host
        self.echo = echo
        self.client_timeout = client_timeout  # every service's head deadline (granian's part)
        self.services: list[Service] = []
        self.stopping = False  # Ctrl-C or SIGTERM came (its KeyboardInterrupt may be lost)
        # A stop signal now only sets ``stopping``: while forking (a child exists that
        # ``self.services`` may not know yet) and while stopping the children.
        self._deferring = False
        self._stop_signals = 0  # how many came: a second one forces :meth:`stop`

    def __enter__(self) -> Supervisor:
        for number in _STOP_SIGNALS:
            signal.signal(number, self._on_stop_signal)
        return self

    def _on_stop_signal(self, *_: object) -> None:
        """Unwind now, and remember it: raised inside a finaliser or a library's broad
        ``except``, the KeyboardInterrupt is lost (seen: `mockkit serve` ignored a SIGTERM sent
        right after its first 200), so every wait loop checks :meth:`_unwind_if_stopping` too.
        During a fork it only remembers: unwinding then would lose the child (an orphan server,
        seen too); :meth:`start` unwinds once the child is recorded. During and after
        :meth:`stop` it only counts (see there)."""
        self.stopping = True
        self._stop_signals += 1
        if not self._deferring:
            raise KeyboardInterrupt

    def _unwind_if_stopping(self) -> None:
        if self.stopping:
            raise KeyboardInterrupt

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self, service: Service, timeout: float = 30.0) -> None:
        self.services.append(service)
        self._deferring = True
        # Held too, so the child takes them only once its own (default) handlers are in place:
        # before that, this process's handler would run in the child and swallow them.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            service.process = ForkedServer(
                lambda: serve_forever(service.target, self.host, service.port, self.client_timeout),
                service.env,
                held,
            )
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            self._deferring = False
        self._unwind_if_stopping()
        self._wait_ready(service, timeout)

    def _wait_ready(self, service: Service, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = service.url(self.host) + service.health_path
        requests = http_client()
        while time.monotonic() < deadline:
            self._unwind_if_stopping()
            if service.process is not None and service.process.poll() is not None:
                raise RuntimeError(
                    f"{service.name} exited with code "
                    f"{service.process.returncode} while starting "
                    f"(is port {service.port} free?)"
                )
            try:
                if requests.get(url, timeout=1).status_code == 200:
                    service.ready = True
                    return
            except requests.RequestException:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{service.name} did not answer on {url} within {timeout:.0f} s")

    def wait(self) -> int:
        """Block until Ctrl-C/SIGTERM (0) or until a service dies (1)."""
        try:
            while True:
                self._unwind_if_stopping()
                for service in self.services:
                    if service.process is not None and service.process.poll() is not None:
                        self.echo(
                            f"{service.name} exited with code "
                            f"{service.process.returncode}; stopping the others"
                        )
                        return 1
                time.sleep(0.2)
        except KeyboardInterrupt:
            return 0

    def stop(self) -> None:
        """SIGTERM every service, then wait for each; one still running after
        :data:`STOP_GRACE` seconds, or once another Ctrl-C or SIGTERM comes ("press it again to
        force", as users expect), is killed with its process group. A service that has not
        answered yet is killed at once: it has served nothing, and granian loses a SIGTERM that
        comes while it starts (its server then ran on until the grace ran out). Stop signals
        never unwind from here on: one cut the stop short (the servers not yet stopped were
        orphaned) and ended `mockkit serve` with "Aborted!" and exit 1."""
        self._deferring = True
        signals_before = self._stop_signals
        for service in reversed(self.services):
            if service.process is not None and service.process.poll() is None:
                if service.ready:
                    service.process.send_signal(signal.SIGTERM)
                else:
                    service.process.kill()
        for service in reversed(self.services):
            process = service.process
            deadline = time.monotonic() + STOP_GRACE
            while process is not None and process.poll() is None:
                forced = self._stop_signals > signals_before
                if forced or time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    why = "on a second stop signal" if forced else f"after {STOP_GRACE:g} s"
                    self.echo(f"{service.name} had not stopped: killed {why}")
                time.sleep(0.01)
        self.services.clear()


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
# Seconds a server has to exit after SIGTERM before the supervisor kills it.
STOP_GRACE = 10.0


class ForkedServer:
    """A server run by ``main`` in a child forked from this process, with ``env`` added to its
    environment, in a process group of its own (a stuck server and its worker are killed
    together), with the stop signals' default actions and then ``signal_mask``. The part of
    :class:`subprocess.Popen` the supervisor uses."""

    def __init__(
        self, main: Callable[[], None], env: dict[str, str], signal_mask: set[signal.Signals]
    ) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:
            _run_child(main, env, signal_mask)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, number)

    def kill(self) -> None:
        """SIGKILL the server's process group (its granian worker too); just after the fork,
        before the child has made the group, the child alone."""
        if self.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                os.kill(self.pid, signal.SIGKILL)


def _run_child(main: Callable[[], None], env: dict[str, str], mask: set[signal.Signals]) -> None:
    """The forked child: never returns, whatever ``main`` does."""
    code = 1
    try:
        os.setsid()
        for number in _STOP_SIGNALS:
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.environ.update(env)
        main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
