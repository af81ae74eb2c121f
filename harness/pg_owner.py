"""Which harness processes are alive, as PostgreSQL sees it: one advisory lock per process.

Each process holds a session-level advisory lock on its own random owner id for as long as it
lives, on a connection of its own, and writes that id on every claim. When a process dies
(``kill -9``, a lost machine), the server drops its session and with it the lock. A process
starting up can then take back the dead one's claims at once (the lock is free) instead of
waiting out their leases, while leaving a live process's claims alone (the lock is held).

If only the lock's connection is lost (a database restart), the process is still alive but
looks dead until :meth:`OwnerLock.keep_alive` (called from the claim loop, every few seconds)
notices and takes the same lock again: a peer starting in that window may take back its
claims. That is safe, only wasteful: the old claim can no longer finish (its token is stale),
and a submit both made is answered 409 by Poplar, which counts as forwarded.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg

from harness.pg_sql import OWNER_LOCK_SPACE

__all__ = ["OwnerLock"]

_LOCK = "SELECT pg_try_advisory_lock(%s, hashtext(%s))"
CHECK_EVERY = 5.0  # seconds between checks that the lock's session is still there


class OwnerLock:
    def __init__(self, url: str) -> None:
        self.url = url
        self.owner = ""
        self._guard = threading.Lock()
        self._conn: psycopg.Connection | None = None
        self._checked = time.monotonic()
        self._connect()

    def _connect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        # Our id again after a lost session (our claims stay ours); a new one only when
        # another live id hashes alike.
        owner = self.owner or uuid.uuid4().hex
        while not (row := conn.execute(_LOCK, (OWNER_LOCK_SPACE, owner)).fetchone()) or not row[0]:
            owner = uuid.uuid4().hex
        self._conn, self.owner = conn, owner

    def _ensure(self) -> psycopg.Connection:
        """The lock's session, taken again first if it was lost (call under the guard)."""
        try:
            if self._conn is None:
                raise psycopg.OperationalError("the owner lock has no session")
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            self._connect()
        assert self._conn is not None
        return self._conn

    def keep_alive(self) -> None:
        """Every ``CHECK_EVERY`` s: is the lock's session alive? If not, take the lock again.

        Never blocks a caller behind another one already checking; a database still away is
        left for the next check.
        """
        if time.monotonic() - self._checked < CHECK_EVERY or not self._guard.acquire(False):
            return
        try:
            self._checked = time.monotonic()
            self._ensure()
        except psycopg.OperationalError:
            pass
        finally:
            self._guard.release()

    def alive(self, owners: list[str]) -> set[str]:
        """Those of ``owners`` whose process still holds its lock."""
        with self._guard:
            conn = self._ensure()
            living = set()
            for owner in owners:
                if owner == self.owner:
                    living.add(owner)
                    continue
                row = conn.execute(_LOCK, (OWNER_LOCK_SPACE, owner)).fetchone()
                if row and row[0]:  # free: its process is gone; let go of it again
                    conn.execute(
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
