"""The Poplar mock's settings, free of Flask, so the CLI builds them without importing it."""

from __future__ import annotations

from dataclasses import dataclass, field

from mocks.core.config import RuntimeConfig

__all__ = ["DEFAULT_MAX_ACCOUNTS", "PoplarConfig"]

DEFAULT_MAX_ACCOUNTS = 10_000  # accounts kept (--max-accounts); the least recently used go first


@dataclass
class PoplarConfig:
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    tokens: tuple[str, ...] | None = None  # only these tokens are accepted (--tokens a,b)
    rate_limit: str = "1000/10s"  # per token, fixed window (--rate-limit; assumed default)
    max_accounts: int = DEFAULT_MAX_ACCOUNTS  # least recently used accounts go past this
