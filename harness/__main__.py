"""``python -m harness``: validate the environment, then serve the app through granian.

Configuration is checked here, in the parent process, so a bad environment fails at once
with exit code 2 and one message listing every problem, instead of a crash-looping worker.
"""

from __future__ import annotations

import os
import sys

from harness.config import ConfigError, HarnessConfig
from harness.logs import configure_logging

__all__ = ["main"]


def main() -> int:
    try:
        config = HarnessConfig.from_env(os.environ)
    except ConfigError as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return 2
    configure_logging()
    from granian import Granian
    from granian.constants import Interfaces

    # One worker process: the inbox is one SQLite file and the worker pool lives beside the
    # web handlers, so more processes would only add lock contention.
    Granian(
        "harness.app:create_app",
        factory=True,
        interface=Interfaces.WSGI,
        address=config.host,
        port=config.port,
        workers=1,
        blocking_threads=8,
        log_access=False,
    ).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
