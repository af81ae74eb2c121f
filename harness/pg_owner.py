"""Which harness processes are alive, as PostgreSQL sees it: one advisory lock per process.

Each process holds a session-level advisory lock on its own random owner id for as long as it
lives, on a connection of its own, and writes that id on every claim. When a process dies
(``kill -9``, a lost machine), the server drops its session and with it the lock. A process
starting up can then take back the dead one's claims at once (the lock is free) instead of
waiting out their leases, while leaving a live process's claims alone (the lock is held).

If only the lock's connection is lost (a database restart), the process is still alive but
looks dead until it reconnects: a peer starting in that window may take back its claims. That
is safe, not wasteful only: the old claim can no longer finish (its token is stale), and a
submit both made is answered 409 by Poplar, which counts as forwarded.
"""

from __future__ import annotations

import threading
import uuid

import psycopg

from harness.pg_sql import OWNER_LOCK_SPACE

__all__ = ["OwnerLock"]

_LOCK = "SELECT pg_try_advisory_lock(%s, hashtext(%s))"


class OwnerLock:
    def __init__(self, url: str) -> None:
        self.url = url
        self.owner = ""
        self._guard = threading.Lock()
        self._conn: psycopg.Connection | None = None
        self._connect()

    def _connect(self) -> None:
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        # A fresh id whenever the lock is (re)taken; another id hashing alike is skipped.
        while True:
            owner = uuid.uuid4().hex
            row = conn.execute(_LOCK, (OWNER_LOCK_SPACE, owner)).fetchone()
            if row and row[0]:
                break
        self._conn, self.owner = conn, owner

    def alive(self, owners: list[str]) -> set[str]:
        """Those of ``owners`` whose process still holds its lock."""
        with self._guard:
            if self._conn is None or self._conn.broken or self._conn.closed:
                self._connect()
            assert self._conn is not None
            living = set()
            for owner in owners:
                if owner == self.owner:
                    living.add(owner)
                    continue
                row = self._conn.execute(_LOCK, (OWNER_LOCK_SPACE, owner)).fetchone()
                if row and row[0]:  # free: its process is gone; let go of it again
                    self._conn.execute(
                        "SELECT pg_advisory_unlock(%s, hashtext(%s))", (OWNER_LOCK_SPACE, owner)
                    )
                else:
                    living.add(owner)
            return living

    def close(self) -> None:
        with self._guard:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
