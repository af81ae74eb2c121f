"""The SQLite inbox's schema and its hot statements, kept apart from the store's logic."""

from __future__ import annotations

from harness.store import admit_sql

__all__ = [
    "CLAIM",
    "EVENT_COLUMNS",
    "FINISH",
    "FIRST_DUE",
    "INSERT_EVENT",
    "NEXT_DUE",
    "RECENT_EVENTS",
    "REQUEUE",
    "RESCHEDULE",
    "SCHEMA",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id         TEXT PRIMARY KEY,
    event            TEXT NOT NULL,
    order_id         TEXT NOT NULL,
    activity_id      TEXT NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL
        CHECK (state IN ('received', 'processing', 'done', 'skipped', 'dead')),
    reason           TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    received_at      REAL NOT NULL,
    next_attempt_at  REAL NOT NULL,
    lease_expires_at REAL,
    claim_token      TEXT,
    last_error       TEXT,
    updated_at       REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ready ON events (state, next_attempt_at, received_at);
CREATE INDEX IF NOT EXISTS events_lease ON events (state, lease_expires_at);
CREATE INDEX IF NOT EXISTS events_order ON events (order_id, state);
CREATE TABLE IF NOT EXISTS forwarded (
    order_id     TEXT PRIMARY KEY,  -- the SoPost order id: at most one Poplar order each
    event_id     TEXT NOT NULL,
    outcome      TEXT NOT NULL,     -- 'created', or 'conflict' when Poplar already had it
    poplar_id    TEXT,
    forwarded_at REAL NOT NULL
);
"""

EVENT_COLUMNS = "event_id, event, order_id, activity_id, received_at, attempts"
INSERT_EVENT = admit_sql("events", "forwarded", ":{}")
_NOT_HELD = (
    " AND NOT EXISTS (SELECT 1 FROM events AS o WHERE o.order_id = e.order_id"
    " AND o.state = 'processing' AND o.lease_expires_at > :now)"
)
_DUE_RECEIVED = (
    "SELECT e.event_id FROM events AS e WHERE e.state = 'received'"
    f" AND e.next_attempt_at <= :now{_NOT_HELD}"
    " ORDER BY e.next_attempt_at, e.received_at LIMIT 1"
)
_EXPIRED_LEASE = (
    "SELECT e.event_id FROM events AS e WHERE e.state = 'processing'"
    f" AND e.lease_expires_at <= :now{_NOT_HELD} ORDER BY e.lease_expires_at LIMIT 1"
)
# Due events first, then expired leases: two index walks that stop at the first hit (SQLite's
# coalesce() runs the second only when the first finds nothing), instead of sorting the backlog.
_NEXT_DUE = f"coalesce(({_DUE_RECEIVED}), ({_EXPIRED_LEASE}))"
NEXT_DUE = f"SELECT {_NEXT_DUE}"
# One statement, so one step of SQLite (its own transaction): the write lock is held for as
# long as SQLite needs, never while the claiming thread waits for the GIL between statements.
CLAIM = (
    "UPDATE events SET state = 'processing', attempts = attempts + 1,"
    " lease_expires_at = :lease, claim_token = :token, updated_at = :now"
    f" WHERE event_id = {_NEXT_DUE} RETURNING {EVENT_COLUMNS}"
)
# When the next received event is due (the events_ready index's first entry).
FIRST_DUE = "SELECT min(next_attempt_at) FROM events WHERE state = 'received'"
# A claimed event's outcome; only the claim that holds it (state and token) may write it.
FINISH = (
    "UPDATE events SET state = ?, reason = ?, lease_expires_at = NULL,"
    " claim_token = NULL, updated_at = ?"
    " WHERE event_id = ? AND state = 'processing' AND claim_token = ?"
)
RESCHEDULE = (
    "UPDATE events SET state = 'received', next_attempt_at = ?, last_error = ?,"
    " attempts = attempts - ?, lease_expires_at = NULL, claim_token = NULL,"
    " updated_at = ? WHERE event_id = ? AND state = 'processing' AND claim_token = ?"
)
REQUEUE = (
    "UPDATE events SET state = 'received', attempts = 0, reason = NULL,"
    " next_attempt_at = ?, updated_at = ? WHERE event_id = ? AND state = 'dead'"
)
RECENT_COLUMNS = (
    "event_id, event, order_id, state, reason, attempts, last_error, received_at, updated_at"
)
RECENT_EVENTS = (
    f"SELECT {RECENT_COLUMNS} FROM events WHERE (:order_id IS NULL OR order_id = :order_id)"
    " ORDER BY updated_at DESC, received_at DESC LIMIT :limit"
)
