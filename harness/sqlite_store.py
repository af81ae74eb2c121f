"""SQLite implementation of :class:`harness.store.InboxStore` (WAL mode, plain ``sqlite3``).

WAL lets the webhook receiver insert while workers read and claim. A write is one statement
in autocommit where it can be (a claim is one ``UPDATE ... RETURNING``, so no claim is lost
between a SELECT and its UPDATE); several statements that must be atomic take
``BEGIN IMMEDIATE``, so the write lock is held from the first read.

Durability is chosen per write. Inserting an event we are about to acknowledge is
``synchronous=FULL``, with concurrent inserts sharing one commit: it must survive a power cut,
as SoPost will not resend after our 202. Worker steps are ``synchronous=NORMAL``: in WAL mode
still safe against ``kill -9``; a power cut can only undo recent progress, which is redone
(Poplar's 409 catches a repeated submit).

Writers, in this process and in the harness's worker process, queue on a lock of their own
before SQLite's (:mod:`harness.sqlite_lock`): SQLite's busy handler polls with sleeps of up to
100 ms, which turned lock waits into long ack tails.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from harness.group_commit import GroupCommitter
from harness.sqlite_lock import WriterLock
from harness.sqlite_sql import (
    CLAIM,
    FINISH,
    FIRST_DUE,
    INSERT_EVENT,
    NEXT_DUE,
    RECENT_EVENTS,
    REQUEUE,
    RESCHEDULE,
    SCHEMA,
)
from harness.store import (
    Admission,
    ClaimedEvent,
    DeadLetter,
    EventRecord,
    EventState,
    FinishedByState,
    NewEvent,
    admit,
    inbox_stats,
)

__all__ = ["SqliteStore"]


class SqliteStore(FinishedByState):
    """One connection per thread (sqlite3 connections are not meant to be shared)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        # Owner thread -> its connection, so connections of finished threads (the WSGI
        # server recycles idle request threads) are closed instead of piling up.
        self._connections: dict[threading.Thread, sqlite3.Connection] = {}
        self._closed = False
        self._writer = WriterLock(path)
        self._inserts = GroupCommitter(self._insert_batch, name="inbox-inserts")
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)

    def _conn(self, synchronous: str = "NORMAL") -> sqlite3.Connection:
        conn = self._connection()
        if getattr(self._local, "synchronous", None) != synchronous:
            conn.execute(f"PRAGMA synchronous={synchronous}")
            self._local.synchronous = synchronous
        return conn

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise sqlite3.ProgrammingError("store is closed")
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE) where they matter.
            conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                for thread in [t for t in self._connections if not t.is_alive()]:
                    self._connections.pop(thread).close()
                self._connections[threading.current_thread()] = conn
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self._writer:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _write_one(self, sql: str, params: tuple | dict[str, Any]) -> list[tuple]:
        """One statement is its own transaction (autocommit): one step of SQLite under the
        write lock, where BEGIN, the statement and COMMIT were three, each waiting for the GIL.
        The rows it returns are read to the end, which ends the statement and so commits."""
        conn = self._conn()
        with self._writer:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else [(cur.rowcount,)]

    # -- receiver ------------------------------------------------------------------------

    def add(self, event: NewEvent, now: float) -> Admission:
        """Insert (as done when its order was forwarded); durable when it returns."""
        return self._inserts.submit((event, now))

    def _insert_batch(self, batch: list[tuple[NewEvent, float]]) -> list[Admission]:
        conn = self._conn(synchronous="FULL")
        with self._writer:
            conn.execute("BEGIN IMMEDIATE")
            try:
                admitted = [admit(conn, INSERT_EVENT, event, now) for event, now in batch]
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return admitted

    # -- workers -------------------------------------------------------------------------

    def claim(self, now: float, lease_seconds: float, token: str) -> ClaimedEvent | None:
        # Looked for outside the write lock first: a poll, or a wake another worker answered,
        # then finds nothing without queueing behind the acks (WAL reads never block).
        if self._conn().execute(NEXT_DUE, {"now": now}).fetchone()[0] is None:
            return None
        claimed = self._write_one(CLAIM, {"now": now, "lease": now + lease_seconds, "token": token})
        if not claimed:
            return None
        event_id, event, order_id, activity_id, received_at, attempts = claimed[0]
        return ClaimedEvent(
            event_id=event_id,
            event=event,
            order_id=order_id,
            activity_id=activity_id,
            received_at=received_at,
            attempt=attempts,  # counted by the claim
            claim_token=token,
        )

    def recover(self, now: float) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE events SET state = 'received', lease_expires_at = NULL,"
                " claim_token = NULL, next_attempt_at = ?, updated_at = ?"
                " WHERE state = 'processing'",
                (now, now),
            )
        return cur.rowcount

    def next_due(self) -> float | None:
        return self._conn().execute(FIRST_DUE).fetchone()[0]

    def is_forwarded(self, order_id: str) -> bool:
        row = (
            self._conn()
            .execute("SELECT 1 FROM forwarded WHERE order_id = ?", (order_id,))
            .fetchone()
        )
        return row is not None

    def _finish(self, event: ClaimedEvent, state: EventState, reason: str, now: float) -> bool:
        params = (state.value, reason, now, event.event_id, event.claim_token)
        return self._write_one(FINISH, params) == [(1,)]

    def mark_forwarded(
        self, event: ClaimedEvent, outcome: str, poplar_id: str | None, now: float
    ) -> bool:
        done = (EventState.DONE.value, f"forwarded:{outcome}", now)
        with self._write() as conn:
            # The order is recorded even if our lease was lost: Poplar has it either way.
            conn.execute(
                "INSERT INTO forwarded (order_id, event_id, outcome, poplar_id, forwarded_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
                (event.order_id, event.event_id, outcome, poplar_id, now),
            )
            return conn.execute(FINISH, (*done, event.event_id, event.claim_token)).rowcount == 1

    def reschedule(
        self, event: ClaimedEvent, when: float, error: str, now: float, *, count: bool = True
    ) -> bool:
        params = (when, error, 0 if count else 1, now, event.event_id, event.claim_token)
        return self._write_one(RESCHEDULE, params) == [(1,)]

    # -- operators -----------------------------------------------------------------------

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = self._conn().execute(
            "SELECT event_id, event, order_id, reason, attempts, received_at, updated_at"
            " FROM events WHERE state = 'dead' ORDER BY updated_at DESC LIMIT ?",
            (limit,),
        )
        return [DeadLetter(*row) for row in rows]

    def recent_events(self, limit: int = 100, order_id: str | None = None) -> list[EventRecord]:
        rows = self._conn().execute(RECENT_EVENTS, {"limit": limit, "order_id": order_id})
        return [EventRecord(*row) for row in rows]

    def requeue(self, event_id: str, now: float) -> bool:
        return self._write_one(REQUEUE, (now, now, event_id)) == [(1,)]

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event row as a dict (for tests and operators)."""
        conn = self._conn()
        cur = conn.execute("SELECT * FROM events WHERE event_id = ?", (event_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def stats(self, now: float) -> dict[str, Any]:
        conn = self._conn()
        conn.execute("BEGIN")  # one read transaction: a consistent snapshot
        try:
            return inbox_stats(conn, "events", "forwarded", now)
        finally:
            conn.execute("COMMIT")

    def ping(self) -> None:
        self._conn().execute("SELECT COUNT(*) FROM forwarded").fetchone()

    def describe(self) -> dict[str, Any]:
        return {"kind": "sqlite", "target": self.path}

    def close(self) -> None:
        self._inserts.stop()
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, {}
        for conn in connections.values():
            conn.close()
        self._writer.close()
