"""PostgreSQL implementation of :class:`harness.store.InboxStore`: one inbox, many processes.

Any number of harness processes, on any number of machines, share the inbox. What keeps them
from stepping on each other is the database, not the code:

- ``event_id`` is the events table's primary key, so a webhook delivered to two processes at
  once is stored once (``ON CONFLICT DO NOTHING``: the second insert reports a duplicate);
- ``order_id`` is the forwarded table's primary key, written in the transaction that marks the
  event done;
- a claim locks its row with ``FOR UPDATE SKIP LOCKED`` (workers pass over rows another claim
  holds instead of queueing behind it) and takes a per-order advisory lock for the rest of its
  transaction, so only one claim at a time decides about an order; the lease it writes keeps
  every other event of that order away until it is finished or the lease expires.

A process that dies mid-event holds nothing but its lease: the event is claimable again when
the lease expires (``HARNESS_LEASE_SECONDS``), by whichever process asks first, or as soon as
any process starts up and finds the claim's owner dead (:mod:`harness.pg_owner`).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

from harness.config import redact_url
from harness.pg_owner import OwnerLock
from harness.pg_pool import Database
from harness.pg_sql import CLAIM_DUE, CLAIM_EXPIRED, INSERT_EVENT, TAKE_CLAIM
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

__all__ = ["PostgresStore"]

# Candidates passed over in one claim (their order was being decided by another claim)
# before giving up until the next poll.
MAX_PASSES = 8


class PostgresStore(FinishedByState):
    def __init__(self, url: str, *, workers: int = 4, retry_seconds: float = 10.0) -> None:
        # Workers plus a spare for /status and /health; acks get granian's request threads.
        self.db = Database(url, work_size=workers + 2, ack_size=8, retry_seconds=retry_seconds)
        try:
            self.schema_version = self.db.migrate()
            self.owners = OwnerLock(url)
        except BaseException:
            self.db.close()
            raise

    # -- receiver ------------------------------------------------------------------------

    def add(self, event: NewEvent, now: float) -> Admission:
        """Insert (as done when its order was forwarded); committed durably when it returns."""
        return self.db.run(self.db.ack, lambda c: admit(c, INSERT_EVENT, event, now))

    # -- workers -------------------------------------------------------------------------

    def claim(self, now: float, lease_seconds: float, token: str) -> ClaimedEvent | None:
        self.owners.keep_alive()
        return self.db.run(self.db.work, lambda c: self._claim(c, now, lease_seconds, token))

    def _claim(
        self, conn: psycopg.Connection, now: float, lease_seconds: float, token: str
    ) -> ClaimedEvent | None:
        passed: list[str] = []
        for _ in range(MAX_PASSES):
            with conn.transaction():
                row = None
                # Due events first, then expired leases: each an index walk that stops at the
                # first row nobody else holds.
                for query in CLAIM_DUE, CLAIM_EXPIRED:
                    row = row or conn.execute(query, {"now": now, "passed": passed}).fetchone()
                if row is None:
                    return None
                event_id, event, order_id, activity_id, received_at, attempts, ours = row
                taken = ours and self._take(conn, row, now + lease_seconds, token, now)
            if taken:
                return ClaimedEvent(
                    event_id=event_id,
                    event=event,
                    order_id=order_id,
                    activity_id=activity_id,
                    received_at=received_at,
                    attempt=attempts + 1,
                    claim_token=token,
                )
            passed.append(event_id)
        return None

    def _take(
        self, conn: psycopg.Connection, row: tuple, lease: float, token: str, now: float
    ) -> bool:
        params = {
            "event_id": row[0], "order_id": row[2], "lease": lease, "token": token, "now": now,
            "owner": self.owners.owner,
        }  # fmt: skip
        return conn.execute(TAKE_CLAIM, params).rowcount == 1

    def recover(self, now: float) -> int:
        """Release expired leases and the claims of dead processes; a live peer's stay."""
        owners = [
            row[0]
            for row in self.db.run(
                self.db.work,
                lambda c: c.execute(
                    "SELECT DISTINCT claim_owner FROM harness_events WHERE state = 'processing'"
                    " AND claim_owner IS NOT NULL"
                ).fetchall(),
            )
        ]
        dead = sorted(set(owners) - self.owners.alive(owners))
        return self._update(
            "UPDATE harness_events SET state = 'received', lease_expires_at = NULL,"
            " claim_token = NULL, next_attempt_at = %s, updated_at = %s"
            " WHERE state = 'processing' AND (lease_expires_at <= %s OR claim_owner = ANY(%s))",
            (now, now, now, dead),
        )

    def next_due(self) -> float | None:
        sql = "SELECT min(next_attempt_at) FROM harness_events WHERE state = 'received'"
        return self.db.run(self.db.work, lambda c: c.execute(sql).fetchone()[0])

    def is_forwarded(self, order_id: str) -> bool:
        sql = "SELECT 1 FROM harness_forwarded WHERE order_id = %s"
        row = self.db.run(self.db.work, lambda c: c.execute(sql, (order_id,)).fetchone())
        return row is not None

    def _update(self, sql: str, params: tuple[Any, ...]) -> int:
        return self.db.run(self.db.work, lambda c: c.execute(sql, params).rowcount)

    def _finish(self, event: ClaimedEvent, state: EventState, reason: str, now: float) -> bool:
        return (
            self._update(_FINISH, (state.value, reason, now, event.event_id, event.claim_token))
            == 1
        )

    def mark_forwarded(
        self, event: ClaimedEvent, outcome: str, poplar_id: str | None, now: float
    ) -> bool:
        def record(conn: psycopg.Connection) -> bool:
            with conn.transaction():
                # The order is recorded even if our lease was lost: Poplar has it either way.
                conn.execute(
                    "INSERT INTO harness_forwarded"
                    " (order_id, event_id, outcome, poplar_id, forwarded_at)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (order_id) DO NOTHING",
                    (event.order_id, event.event_id, outcome, poplar_id, now),
                )
                done = (EventState.DONE.value, f"forwarded:{outcome}", now)
                cur = conn.execute(_FINISH, (*done, event.event_id, event.claim_token))
                return cur.rowcount == 1

        return self.db.run(self.db.work, record)

    def reschedule(
        self, event: ClaimedEvent, when: float, error: str, now: float, *, count: bool = True
    ) -> bool:
        sql = (
            "UPDATE harness_events SET state = 'received', next_attempt_at = %s, last_error = %s,"
            " attempts = attempts - %s, lease_expires_at = NULL, claim_token = NULL,"
            " updated_at = %s WHERE event_id = %s AND state = 'processing' AND claim_token = %s"
        )
        params = (when, error, 0 if count else 1, now, event.event_id, event.claim_token)
        return self._update(sql, params) == 1

    # -- operators -----------------------------------------------------------------------

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        sql = (
            "SELECT event_id, event, order_id, reason, attempts, received_at, updated_at"
            " FROM harness_events WHERE state = 'dead' ORDER BY updated_at DESC LIMIT %s"
        )
        rows = self.db.run(self.db.work, lambda c: c.execute(sql, (limit,)).fetchall())
        return [DeadLetter(*row) for row in rows]

    def recent_events(self, limit: int = 100, order_id: str | None = None) -> list[EventRecord]:
        sql = (
            "SELECT event_id, event, order_id, state, reason, attempts, last_error,"
            " received_at, updated_at FROM harness_events"
            " WHERE (%(order_id)s::text IS NULL OR order_id = %(order_id)s)"
            " ORDER BY updated_at DESC, received_at DESC LIMIT %(limit)s"
        )
        query = {"order_id": order_id, "limit": limit}
        rows = self.db.run(self.db.work, lambda c: c.execute(sql, query).fetchall())
        return [EventRecord(*row) for row in rows]

    def requeue(self, event_id: str, now: float) -> bool:
        sql = (
            "UPDATE harness_events SET state = 'received', attempts = 0, reason = NULL,"
            " next_attempt_at = %s, updated_at = %s WHERE event_id = %s AND state = 'dead'"
        )
        return self._update(sql, (now, now, event_id)) == 1

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event row as a dict (for tests and operators)."""

        def read(conn: psycopg.Connection) -> dict[str, Any] | None:
            with conn.cursor(row_factory=dict_row) as cur:
                sql = "SELECT * FROM harness_events WHERE event_id = %s"
                return cur.execute(sql, (event_id,)).fetchone()

        return self.db.run(self.db.work, read)

    def stats(self, now: float) -> dict[str, Any]:
        return self.db.run(self.db.work, lambda c: _stats(c, now))

    def ping(self) -> None:
        self.db.ping()

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "postgresql",
            "target": redact_url(self.db.url),
            "schema_version": self.schema_version,
        }

    def close(self) -> None:
        self.owners.close()
        self.db.close()


_FINISH = (
    "UPDATE harness_events SET state = %s, reason = %s, lease_expires_at = NULL,"
    " claim_token = NULL, updated_at = %s"
    " WHERE event_id = %s AND state = 'processing' AND claim_token = %s"
)


def _stats(conn: psycopg.Connection, now: float) -> dict[str, Any]:
    # One snapshot for every number, so they add up.
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        return inbox_stats(conn, "harness_events", "harness_forwarded", now)
    finally:
        conn.execute("COMMIT")
