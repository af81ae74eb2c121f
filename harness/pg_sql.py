"""The PostgreSQL inbox's schema (as numbered migrations) and its hot statements.

Same rows and states as the SQLite inbox (:mod:`harness.sqlite_sql`), with what several
processes on several machines need: the uniqueness rules are constraints (``event_id`` and
``forwarded.order_id`` primary keys), so no interleaving of processes can break them, and the
claim indexes are partial (only ``received`` / ``processing`` rows), so they stay small however
long the history of finished events grows.

Tables are prefixed ``harness_`` so the inbox can share a database with other applications.
A migration is applied once, in order, under an advisory lock (see :mod:`harness.pg_pool`);
never edit one that has shipped: add the next.
"""

from __future__ import annotations

from harness.store import admit_sql

__all__ = [
    "CLAIM_DUE",
    "CLAIM_EXPIRED",
    "EVENT_COLUMNS",
    "INSERT_EVENT",
    "MIGRATIONS",
    "ORDER_LOCK_SPACE",
    "OWNER_LOCK_SPACE",
    "SCHEMA_LOCK",
    "TAKE_CLAIM",
]

# Advisory lock keys. The schema lock is one bigint; per-order claim locks and the lock each
# live process holds on its owner id use the two-int form with these first keys (the one-key
# and two-key spaces never collide).
SCHEMA_LOCK = 0x6D6F636B6B6974  # "mockkit"
ORDER_LOCK_SPACE = 0x68617273  # "hars"
OWNER_LOCK_SPACE = 0x6F776E72  # "ownr"

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
CREATE TABLE harness_events (
    event_id         text PRIMARY KEY,
    event            text NOT NULL,
    order_id         text NOT NULL,
    activity_id      text NOT NULL,
    payload          text NOT NULL,
    state            text NOT NULL
        CHECK (state IN ('received', 'processing', 'done', 'skipped', 'dead')),
    reason           text,
    attempts         integer NOT NULL DEFAULT 0,
    received_at      double precision NOT NULL,
    next_attempt_at  double precision NOT NULL,
    lease_expires_at double precision,
    claim_token      text,
    last_error       text,
    updated_at       double precision NOT NULL,
    CHECK (state <> 'processing' OR (lease_expires_at IS NOT NULL AND claim_token IS NOT NULL))
);
CREATE INDEX harness_events_due ON harness_events (next_attempt_at, received_at)
    WHERE state = 'received';
CREATE INDEX harness_events_lease ON harness_events (lease_expires_at)
    WHERE state = 'processing';
CREATE INDEX harness_events_held ON harness_events (order_id, lease_expires_at)
    WHERE state = 'processing';
CREATE INDEX harness_events_dead ON harness_events (updated_at) WHERE state = 'dead';
CREATE TABLE harness_forwarded (
    order_id     text PRIMARY KEY,  -- the SoPost order id: at most one Poplar order each
    event_id     text NOT NULL REFERENCES harness_events (event_id),
    outcome      text NOT NULL,     -- 'created', or 'conflict' when Poplar already had it
    poplar_id    text,
    forwarded_at double precision NOT NULL
);
""",
    ),
    (
        2,
        # Which harness process holds a claim, so a restarted process can tell a dead
        # process's claims (its owner lock is free) from a live one's without the lease.
        "ALTER TABLE harness_events ADD COLUMN claim_owner text",
    ),
)

EVENT_COLUMNS = "event_id, event, order_id, activity_id, received_at, attempts"

INSERT_EVENT = admit_sql("harness_events", "harness_forwarded", "%({})s")

_NOT_HELD = (
    " AND NOT EXISTS (SELECT 1 FROM harness_events AS o WHERE o.order_id = e.order_id"
    " AND o.state = 'processing' AND o.lease_expires_at > %(now)s)"
    " AND e.event_id <> ALL(%(passed)s)"
)


def _candidate(where: str, order: str) -> str:
    """One claimable row, locked (rows other claims hold are skipped, not waited for), plus a
    try of the order's advisory lock: only one claim at a time may decide about an order."""
    return (
        f"WITH c AS (SELECT {EVENT_COLUMNS} FROM harness_events AS e WHERE {where}{_NOT_HELD}"
        f" ORDER BY {order} LIMIT 1 FOR UPDATE OF e SKIP LOCKED)"
        f" SELECT c.*, pg_try_advisory_xact_lock({ORDER_LOCK_SPACE}, hashtext(c.order_id))"
        " FROM c"
    )


CLAIM_DUE = _candidate(
    "e.state = 'received' AND e.next_attempt_at <= %(now)s", "e.next_attempt_at, e.received_at"
)
CLAIM_EXPIRED = _candidate(
    "e.state = 'processing' AND e.lease_expires_at <= %(now)s", "e.lease_expires_at"
)

# A new statement, so a new snapshot taken after the order lock was granted: it sees a claim
# another process committed while this one was choosing its candidate.
TAKE_CLAIM = (
    "UPDATE harness_events SET state = 'processing', attempts = attempts + 1,"
    " lease_expires_at = %(lease)s, claim_token = %(token)s, claim_owner = %(owner)s,"
    " updated_at = %(now)s"
    " WHERE event_id = %(event_id)s AND NOT EXISTS (SELECT 1 FROM harness_events AS o"
    " WHERE o.order_id = %(order_id)s AND o.event_id <> %(event_id)s"
    " AND o.state = 'processing' AND o.lease_expires_at > %(now)s)"
)
