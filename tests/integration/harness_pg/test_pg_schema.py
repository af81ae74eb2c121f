"""The PostgreSQL inbox's schema: migrated once under an advisory lock, rules as constraints."""

from __future__ import annotations

import threading

import psycopg
import pytest

from harness.pg_sql import MIGRATIONS
from harness.pg_store import PostgresStore
from tests.unit.harness.test_harness_store import new_event


def test_many_processes_starting_at_once_migrate_exactly_once(pg_url: str) -> None:
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(6)

    def start() -> None:
        gate.wait()
        try:
            stores.append(PostgresStore(pg_url, workers=1))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        assert {store.schema_version for store in stores} == {MIGRATIONS[-1][0]}
        with psycopg.connect(pg_url) as conn:
            versions = conn.execute("SELECT version FROM harness_schema").fetchall()
        assert versions == [(version,) for version, _ in MIGRATIONS]
    finally:
        for store in stores:
            store.close()


def test_restarting_on_an_existing_inbox_keeps_its_events(pg_url: str) -> None:
    first = PostgresStore(pg_url, workers=1)
    first.add(new_event(1), now=100.0)
    first.close()
    second = PostgresStore(pg_url, workers=1)
    try:
        assert second.claim(100.0, 30.0, "t") is not None
    finally:
        second.close()


def test_exactly_once_rules_are_database_constraints(pg_url: str) -> None:
    """Not code: a second forwarded row for an order, or a second event row, is refused."""
    PostgresStore(pg_url, workers=1).close()
    row = ("e1", "APPROVED", "o1", "a1", "{}", "received", 1.0, 1.0, 1.0)
    insert_event = (
        "INSERT INTO harness_events (event_id, event, order_id, activity_id, payload, state,"
        " received_at, next_attempt_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    insert_forwarded = (
        "INSERT INTO harness_forwarded (order_id, event_id, outcome, forwarded_at)"
        " VALUES ('o1', 'e1', 'created', 1.0)"
    )
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(insert_event, row)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert_event, row)
        conn.execute(insert_forwarded)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert_forwarded)
        with pytest.raises(psycopg.errors.CheckViolation):  # processing needs a lease
            conn.execute("UPDATE harness_events SET state = 'processing' WHERE event_id = 'e1'")
