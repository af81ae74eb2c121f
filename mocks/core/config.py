"""The settings every mock has (the CLI's shared flags), free of Flask.

``mockkit serve`` builds these in its own process and hands them to each server as JSON; keeping
them apart from the Flask layer lets the CLI start without importing Flask (cold start).
"""

from __future__ import annotations

from dataclasses import dataclass

from servekit.settings import DEFAULT_CLIENT_TIMEOUT

__all__ = ["DEFAULT_MAX_BODY", "RuntimeConfig"]

DEFAULT_MAX_BODY = 1024 * 1024  # bytes (--max-body)


@dataclass
class RuntimeConfig:
    """Settings every mock has (the CLI's shared flags)."""

    seed: int = 0
    id_seed: int | None = None  # run-time ids (orders, events), None: seed; verify: one per run
    clock: str = "real"  # "real" or "manual"
    log_requests: bool = False
    host: str = "127.0.0.1"  # the bound address: a Host header the mock answers to
    host_aliases: tuple[str, ...] = ()  # other names it answers to (--allow-host)
    max_body: int = DEFAULT_MAX_BODY  # bytes (--max-body); larger bodies are a 413
    client_timeout: float = DEFAULT_CLIENT_TIMEOUT  # s for the head, then the body (408)
    strict: bool = False  # reject what breaks an assumed constraint (--strict) instead of warning
    flow_url: str | None = None  # where the pages link for the flow view (mockkit serve)
