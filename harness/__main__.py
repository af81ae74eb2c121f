"""``python -m harness``: validate the environment, then serve the app through granian.

Configuration is checked here, in the parent process, so a bad environment fails at once
with exit code 2 and one message listing every problem, instead of a crash-looping worker.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

from harness.config import ConfigError, HarnessConfig
from harness.logs import configure_logging
from servekit.launch import serve

__all__ = ["main"]


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    """In granian's forked worker: get SIGKILLed when the ``python -m harness`` process dies.

    Without this, ``kill -9`` of the main process leaves an orphaned worker still serving and
    forwarding, and a restart would run two of them on one inbox. Linux only; elsewhere the
    process group must be killed instead (as container runtimes and systemd do).
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def main() -> int:
    try:
        config = HarnessConfig.from_env(os.environ)
    except ConfigError as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return 2
    configure_logging()
    parent_pid = os.getpid()
    os.register_at_fork(after_in_child=lambda: _die_with_parent(parent_pid))
    # One worker process: the inbox is one SQLite file and the worker pool lives beside the
    # web handlers, so more processes would only add lock contention.
    serve("harness.app:create_server", config.host, config.port, config.client_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
