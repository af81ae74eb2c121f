"""The durable inbox, as an interface the worker depends on.

The worker never sees SQL: it talks to :class:`InboxStore`. Two stores implement it:
:mod:`harness.sqlite_store` (one process, one file) and :mod:`harness.pg_store` (any number of
processes on one PostgreSQL database); ``HARNESS_DB`` picks one (:func:`harness.stores.open_store`).

Life of an event row::

    received --claim--> processing --> done | skipped(reason) | dead(reason)
        ^                   |
        +--- reschedule ----+   (transient failure, rate limit, lease expiry, restart)

An event whose order is already forwarded when it arrives (SoPost's later stages: PROCESSING,
DISPATCHED, DELIVERED) is stored straight as ``done (already_forwarded)`` by the insert that
acknowledges it: the outcome a worker would reach, without a claim, a read and a write.

Every transition out of ``processing`` names the claim token, so a worker whose lease has
expired (and whose event another worker re-claimed) cannot overwrite the newer outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

__all__ = [
    "ALREADY_FORWARDED",
    "Admission",
    "ClaimedEvent",
    "DeadLetter",
    "EventRecord",
    "EventState",
    "FinishedByState",
    "InboxStore",
    "NewEvent",
    "StoreUnavailable",
    "admit",
    "admit_sql",
    "inbox_stats",
]


class StoreUnavailable(Exception):
    """The database could not be reached, even after retrying; nothing was changed by us."""


# The reason an event is done without forwarding: its order was forwarded by an earlier one.
ALREADY_FORWARDED = "already_forwarded"


class Admission(StrEnum):
    """What :meth:`InboxStore.add` did with an arriving event."""

    RECEIVED = "received"  # stored for a worker
    ALREADY_FORWARDED = ALREADY_FORWARDED  # stored as done: its order was forwarded already
    DUPLICATE = "duplicate"  # its event_id was known: nothing stored


class EventState(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    SKIPPED = "skipped"
    DEAD = "dead"


@dataclass(frozen=True)
class NewEvent:
    """A validated SoPost OrderEvent as it came in."""

    event_id: str
    event: str
    order_id: str
    activity_id: str
    payload: str  # the raw JSON body, kept for audits and replays


@dataclass(frozen=True)
class ClaimedEvent:
    """An event a worker holds a lease on; ``attempt`` counts this attempt (1-based)."""

    event_id: str
    event: str
    order_id: str
    activity_id: str
    received_at: float
    attempt: int
    claim_token: str


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    event: str
    order_id: str
    reason: str
    attempts: int
    received_at: float
    updated_at: float

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "event": self.event,
            "order_id": self.order_id,
            "reason": self.reason,
            "attempts": self.attempts,
            "received_at": self.received_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class EventRecord:
    """An event as the status page and the flow view show it: where it is and why."""

    event_id: str
    event: str
    order_id: str
    state: str
    reason: str | None
    attempts: int
    last_error: str | None
    received_at: float
    updated_at: float

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class FinishedByState:
    """The three ways a claimed event ends, written the same by both stores: each is one
    conditional update of the event's state, the store's own ``_finish``."""

    def _finish(self, event: ClaimedEvent, state: EventState, reason: str, now: float) -> bool:
        raise NotImplementedError

    def mark_done(self, event: ClaimedEvent, reason: str, now: float) -> bool:
        return self._finish(event, EventState.DONE, reason, now)

    def mark_skipped(self, event: ClaimedEvent, reason: str, now: float) -> bool:
        return self._finish(event, EventState.SKIPPED, reason, now)

    def mark_dead(self, event: ClaimedEvent, reason: str, now: float) -> bool:
        return self._finish(event, EventState.DEAD, reason, now)


class InboxStore(Protocol):
    """What the receiver and the workers need from storage. All times are epoch seconds."""

    def add(self, event: NewEvent, now: float) -> Admission:
        """Store the event durably before returning (as done when its order was forwarded)."""

    def claim(self, now: float, lease_seconds: float, token: str) -> ClaimedEvent | None:
        """Take the next due event (received and due, or processing with an expired lease).

        Never hands out an event whose order another live claim is working on, so two workers
        do not race on the same order.
        """

    def recover(self, now: float) -> int:
        """At start-up, put ``processing`` events no live claim holds back to ``received``.

        SQLite (one process claims from a file): every one. Shared PostgreSQL: those whose
        lease expired. Returns how many.
        """

    def next_due(self) -> float | None:
        """When the earliest ``received`` event is due, or None when there is none."""

    def is_forwarded(self, order_id: str) -> bool: ...

    def mark_forwarded(
        self, event: ClaimedEvent, outcome: str, poplar_id: str | None, now: float
    ) -> bool:
        """Record the order as forwarded *and* the event as done, in one transaction."""

    def mark_done(self, event: ClaimedEvent, reason: str, now: float) -> bool: ...

    def mark_skipped(self, event: ClaimedEvent, reason: str, now: float) -> bool: ...

    def mark_dead(self, event: ClaimedEvent, reason: str, now: float) -> bool: ...

    def reschedule(
        self, event: ClaimedEvent, when: float, error: str, now: float, *, count: bool = True
    ) -> bool:
        """Back to ``received`` until ``when``; ``count=False`` refunds the attempt (429s)."""

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]: ...

    def recent_events(self, limit: int = 100, order_id: str | None = None) -> list[EventRecord]:
        """The most recently changed events first (only ``order_id``'s when given)."""

    def requeue(self, event_id: str, now: float) -> bool:
        """Give a dead letter a fresh set of attempts; False when it is not a dead letter."""

    def stats(self, now: float) -> dict[str, Any]: ...

    def ping(self) -> None:
        """Raise when the database cannot be reached."""

    def describe(self) -> dict[str, Any]:
        """Which database this is (``kind`` and a password-free ``target``), for /health."""

    def close(self) -> None: ...


def inbox_stats(conn: Any, events: str, forwarded: str, now: float) -> dict[str, Any]:
    """``stats()`` of a SQL store, read through ``conn.execute`` (sqlite3 and psycopg alike)
    inside the caller's read transaction, so the numbers are one snapshot and add up."""
    by_state = {state.value: 0 for state in EventState}
    by_state.update(conn.execute(f"SELECT state, count(*) FROM {events} GROUP BY state"))
    skipped = dict(
        conn.execute(
            f"SELECT reason, count(*) FROM {events} WHERE state = 'skipped'"
            " GROUP BY reason ORDER BY reason"
        )
    )
    total = conn.execute(f"SELECT count(*) FROM {forwarded}").fetchone()[0]
    oldest = conn.execute(
        f"SELECT min(received_at) FROM {events} WHERE state IN ('received', 'processing')"
    ).fetchone()[0]
    return {
        "inbox": by_state,
        "forwarded": total,
        "skipped_by_reason": skipped,
        "dead_letters": by_state[EventState.DEAD.value],
        "oldest_pending_age_seconds": None if oldest is None else round(now - oldest, 3),
    }


def admit_sql(events: str, forwarded: str, param: str) -> str:
    """The insert that acknowledges an event, for a SQL store whose placeholders are
    ``param.format(name)`` (``:{}`` for sqlite3, ``%({})s`` for psycopg); run it with
    :func:`admit`.

    One statement decides, so nothing can forward the order between a look and the insert:
    an order already in ``forwarded`` makes the event ``done`` at once. It returns the stored
    state, or no row for a known ``event_id``.
    """
    columns = ("event_id", "event", "order_id", "activity_id", "payload")
    values = ", ".join(param.format(name) for name in columns)
    now, order_id = param.format("now"), param.format("order_id")
    return (
        f"INSERT INTO {events} (event_id, event, order_id, activity_id, payload, state, reason,"
        " received_at, next_attempt_at, updated_at)"
        f" SELECT {values},"
        " CASE WHEN f.order_id IS NULL THEN 'received' ELSE 'done' END,"
        f" CASE WHEN f.order_id IS NULL THEN NULL ELSE '{ALREADY_FORWARDED}' END,"
        f" {now}, {now}, {now}"
        f" FROM (SELECT {order_id} AS order_id) AS n"
        f" LEFT JOIN {forwarded} AS f ON f.order_id = n.order_id"
        # WHERE true: SQLite would read ON CONFLICT as the join's ON without it.
        " WHERE true ON CONFLICT (event_id) DO NOTHING RETURNING state"
    )


def admit(conn: Any, sql: str, event: NewEvent, now: float) -> Admission:
    """Run :func:`admit_sql`'s statement for ``event`` arriving at ``now`` through
    ``conn.execute`` (sqlite3 and psycopg alike), and say what it did. Its rows are read to the
    end: SQLite ends the statement only then."""
    rows = conn.execute(sql, {**event.__dict__, "now": now}).fetchall()
    if not rows:
        return Admission.DUPLICATE
    return Admission.RECEIVED if rows[0][0] == EventState.RECEIVED else Admission.ALREADY_FORWARDED
