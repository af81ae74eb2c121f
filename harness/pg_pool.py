"""Connections to the PostgreSQL inbox that ride out a database restart.

Two pools, because the two kinds of write want different durability. Acknowledging a webhook
commits with ``synchronous_commit=on`` (the default): SoPost will not resend after our 202, so
the row must be on the server's disk first. Worker steps commit with ``synchronous_commit=off``:
a server crash can only undo recent progress, which is redone (Poplar's 409 catches a repeated
submit), and they do not wait for a WAL flush each.

Every operation is retried with exponential backoff when the connection is lost or the server
is restarting (``OperationalError``), for up to ``retry_seconds``; after that it raises
:class:`~harness.store.StoreUnavailable` and the caller answers 503 (receiver) or lets the
event's lease expire (workers). Operations are written to be safe to repeat: an insert whose
commit reached the server but whose answer did not is a duplicate the second time.

The schema is migrated at start-up inside one transaction holding an advisory lock, so many
processes starting at once apply each migration exactly once and none sees a half-built schema.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from harness.pg_sql import MIGRATIONS, SCHEMA_LOCK
from harness.store import StoreUnavailable

__all__ = ["Database"]

T = TypeVar("T")
log = logging.getLogger("harness.db")

FIRST_DELAY = 0.05
MAX_DELAY = 1.0


def _async_commit(conn: psycopg.Connection) -> None:
    conn.execute("SET synchronous_commit TO off")


class Database:
    """The ack pool, the work pool and the retry loop around both."""

    def __init__(
        self, url: str, *, work_size: int, ack_size: int, retry_seconds: float = 10.0
    ) -> None:
        self.url = url
        self.retry_seconds = retry_seconds
        self._closing = threading.Event()
        common: dict[str, Any] = {
            "kwargs": {"autocommit": True, "connect_timeout": 5},
            "min_size": 1,
            "open": True,
            "timeout": max(1.0, retry_seconds / 2),
            # A slot that cannot reconnect is given up after 2 s rather than retried with the
            # pool's growing delays (1, 2, 4, 8... s: after a minute-long outage it would come
            # back half a minute late); the next request opens a fresh one at once.
            "reconnect_timeout": 2.0,
        }
        self.ack = ConnectionPool(url, max_size=ack_size, name="harness-ack", **common)
        self.work = ConnectionPool(
            url, max_size=work_size, name="harness-work", configure=_async_commit, **common
        )

    def run(self, pool: ConnectionPool, operation: Callable[[psycopg.Connection], T]) -> T:
        """``operation(conn)`` on a pooled connection, retried while the database is away."""
        deadline = time.monotonic() + self.retry_seconds
        delay = FIRST_DELAY
        while True:
            try:
                with pool.connection() as conn:
                    return operation(conn)
            except psycopg.OperationalError as exc:  # lost connection, restart, pool timeout
                if self._closing.is_set() or time.monotonic() + delay > deadline:
                    raise StoreUnavailable(f"PostgreSQL unavailable: {exc}") from exc
                log.warning(
                    "database operation failed; retrying",
                    extra={"fields": {"error": str(exc).strip(), "retry_in": delay}},
                )
                # Drop every idle connection that died with the server, not one per retry.
                pool.check()
                self._closing.wait(delay)
                delay = min(delay * 2, MAX_DELAY)

    def ping(self) -> float:
        """Round-trip time of ``SELECT 1`` in milliseconds (for /health), without the retry
        loop: once more only after dropping the idle connections a database restart broke, so
        a web process whose pool sat idle (its workers run elsewhere) reports the database as
        it is now."""
        for last in (False, True):
            started = time.perf_counter()
            try:
                with self.work.connection(timeout=2.0) as conn:
                    conn.execute("SELECT 1").fetchone()
            except psycopg.OperationalError as exc:
                self.work.check()
                if last:
                    raise StoreUnavailable(f"PostgreSQL unavailable: {exc}") from exc
            else:
                break
        return round((time.perf_counter() - started) * 1000, 3)

    def migrate(self) -> int:
        """Bring the schema up to date; return the version now in force."""

        def apply(conn: psycopg.Connection) -> int:
            with conn.transaction():
                # Held until commit: concurrent starters queue here, then find nothing to do.
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS harness_schema"
                    " (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
                )
                row = conn.execute("SELECT max(version) FROM harness_schema").fetchone()
                current = (row[0] if row else None) or 0
                for version, sql in MIGRATIONS:
                    if version > current:
                        conn.execute(sql)
                        conn.execute("INSERT INTO harness_schema (version) VALUES (%s)", (version,))
                        log.info("schema migrated", extra={"fields": {"version": version}})
                        current = version
                return current

        return self.run(self.work, apply)

    def close(self) -> None:
        self._closing.set()
        self.ack.close()
        self.work.close()
