"""Pick the inbox store from ``HARNESS_DB``: a ``postgresql://`` URL or a SQLite file path.

Only this module knows both stores; the worker, processor and policy see the protocol. The
PostgreSQL store is imported only when asked for, so a SQLite harness never loads psycopg.
"""

from __future__ import annotations

from harness.store import InboxStore

__all__ = ["POSTGRES_SCHEMES", "is_postgres", "open_store"]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str) -> bool:
    return target.lower().startswith(POSTGRES_SCHEMES)


def open_store(target: str, *, workers: int = 4, retry_seconds: float = 10.0) -> InboxStore:
    """The store for ``target``; a PostgreSQL one has its schema migrated when this returns."""
    if is_postgres(target):
        from harness.pg_store import PostgresStore

        return PostgresStore(target, workers=workers, retry_seconds=retry_seconds)
    from harness.sqlite_store import SqliteStore

    return SqliteStore(target)
