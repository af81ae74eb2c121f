"""Harness configuration, read only from the environment.

A brand deploys the harness as a container or a unit file, so the environment is the one
configuration channel. Every problem is collected before failing so an operator fixes the
whole list in one go instead of discovering missing variables one restart at a time.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.stores import is_postgres
from servekit.settings import DEFAULT_CLIENT_TIMEOUT

__all__ = ["ConfigError", "HarnessConfig", "redact_url"]

_REQUIRED = (
    "SOPOST_API_URL",
    "SOPOST_API_USER",
    "SOPOST_API_PASSWORD",
    "POPLAR_API_URL",
    "POPLAR_API_TOKEN",
)


class ConfigError(ValueError):
    """The environment does not describe a runnable harness; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "harness configuration is incomplete:\n" + "\n".join(f"  - {p}" for p in problems)
        )


def _csv(value: str | None) -> frozenset[str]:
    """Comma-separated list, compared case-insensitively (UUIDs and handler names alike)."""
    if not value:
        return frozenset()
    return frozenset(part.strip().lower() for part in value.split(",") if part.strip())


def _flag(name: str, env: Mapping[str, str], problems: list[str], *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return raw in ("1", "true", "yes", "on")
    problems.append(f"{name}={raw!r} is not a flag (use 1 or 0)")
    return default


def redact_url(url: str) -> str:
    """``scheme://user@host:port/db`` without the password (for logs, errors and /health)."""
    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    user = user.partition(":")[0]
    return f"{parts.scheme}://{user + '@' if user else ''}{host}{parts.path}"


def _valid_secret(secret: str) -> bool:
    """Stricter than the library, which silently drops non-base64 characters."""
    raw = secret.removeprefix("whsec_")
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return bool(key)


@dataclass(frozen=True)
class HarnessConfig:
    """Everything the harness needs; build it with :meth:`from_env` or directly in tests."""

    sopost_api_url: str
    sopost_api_user: str
    sopost_api_password: str
    poplar_api_url: str
    poplar_api_token: str
    sopost_webhook_secret: str | None = None
    # A SQLite file path, or a postgresql:// URL for an inbox several processes share.
    db_path: str = "harness.db"
    host: str = "127.0.0.1"
    port: int = 8082
    workers: int = 4
    max_attempts: int = 8
    # Empty means "any consent id"; the data-handler filter always applies.
    consent_ids: frozenset[str] = frozenset()
    data_handlers: frozenset[str] = field(default_factory=lambda: frozenset({"sopost"}))
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    lease_seconds: float = 120.0
    # How long a PostgreSQL operation is retried through a lost connection before giving up.
    db_retry_seconds: float = 10.0
    poll_interval: float = 0.5
    http_timeout: float = 10.0
    # Seconds a client has to send its request headers, and again its body (slow clients).
    client_timeout: float = DEFAULT_CLIENT_TIMEOUT
    admin_token: str | None = None
    # Where the status page links for the flow view (mockkit serve sets it).
    flow_url: str | None = None
    # Run the workers in a process of their own (harness.worker_process), so forwarding does
    # not compete with webhook acks for one interpreter. On when read from the environment
    # (HARNESS_WORKER_PROCESS=0 turns it off); off for a config built in code (tests embed
    # the harness with a manual clock).
    worker_process: bool = False

    def to_json(self) -> str:
        """The configuration as JSON, for the worker process (:meth:`from_json`)."""
        return json.dumps(
            {
                name: sorted(value) if isinstance(value, frozenset) else value
                for name, value in dataclasses.asdict(self).items()
            }
        )

    @classmethod
    def from_json(cls, text: str) -> HarnessConfig:
        values: dict[str, Any] = json.loads(text)
        sets = {f.name for f in dataclasses.fields(cls) if "frozenset" in str(f.type)}
        return cls(**{k: frozenset(v) if k in sets else v for k, v in values.items()})

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HarnessConfig:
        """Read the configuration; raise :class:`ConfigError` naming every bad variable."""
        problems: list[str] = []
        values = {name: env.get(name, "").strip() for name in _REQUIRED}
        missing = [name for name, value in values.items() if not value]
        if missing:
            problems.append("missing required variable(s): " + ", ".join(missing))

        def number(name: str, default: float, kind: type, minimum: float) -> float:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = kind(raw)
            except ValueError:
                problems.append(f"{name}={raw!r} is not a {kind.__name__}")
                return default
            if value < minimum:
                problems.append(f"{name}={raw!r} must be at least {minimum}")
                return default
            return value

        secret = env.get("SOPOST_WEBHOOK_SECRET", "").strip() or None
        if secret is not None and not _valid_secret(secret):
            problems.append(
                "SOPOST_WEBHOOK_SECRET is not a Standard Webhooks secret "
                "(expected 'whsec_' followed by base64 of the key)"
            )
        handlers = _csv(env.get("HARNESS_DATA_HANDLERS")) or frozenset({"sopost"})
        db = env.get("HARNESS_DB", "").strip() or "harness.db"
        if "://" in db and not is_postgres(db):
            problems.append(
                f"HARNESS_DB={redact_url(db)!r}: use a postgresql:// URL or a SQLite file path"
            )
        config = cls(
            sopost_api_url=values["SOPOST_API_URL"].rstrip("/"),
            sopost_api_user=values["SOPOST_API_USER"],
            sopost_api_password=values["SOPOST_API_PASSWORD"],
            poplar_api_url=values["POPLAR_API_URL"].rstrip("/"),
            poplar_api_token=values["POPLAR_API_TOKEN"],
            sopost_webhook_secret=secret,
            db_path=db,
            host=env.get("HARNESS_HOST", "").strip() or "127.0.0.1",
            port=int(number("PORT", 8082, int, 0)),
            workers=int(number("HARNESS_WORKERS", 4, int, 1)),
            max_attempts=int(number("HARNESS_MAX_ATTEMPTS", 8, int, 1)),
            consent_ids=_csv(env.get("HARNESS_CONSENT_IDS")),
            data_handlers=handlers,
            backoff_base=number("HARNESS_BACKOFF_BASE", 1.0, float, 0.0),
            backoff_cap=number("HARNESS_BACKOFF_CAP", 300.0, float, 0.0),
            lease_seconds=number("HARNESS_LEASE_SECONDS", 120.0, float, 1.0),
            db_retry_seconds=number("HARNESS_DB_RETRY_SECONDS", 10.0, float, 0.0),
            poll_interval=number("HARNESS_POLL_INTERVAL", 0.5, float, 0.01),
            http_timeout=number("HARNESS_HTTP_TIMEOUT", 10.0, float, 0.1),
            client_timeout=number("HARNESS_CLIENT_TIMEOUT", DEFAULT_CLIENT_TIMEOUT, float, 0.1),
            admin_token=env.get("HARNESS_ADMIN_TOKEN", "").strip() or None,
            flow_url=env.get("HARNESS_FLOW_URL", "").strip() or None,
            worker_process=_flag("HARNESS_WORKER_PROCESS", env, problems, default=True),
        )
        if problems:
            raise ConfigError(problems)
        return config
