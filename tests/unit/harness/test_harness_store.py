"""Both inbox stores: transitions, leases, duplicates, the forwarded table.

Every test runs on SQLite and on PostgreSQL (a throwaway server, see tests/pg_cluster.py)
unless it is about one of them (``sqlite_store``).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from harness.sqlite_store import SqliteStore
from harness.store import Admission, EventState, InboxStore, NewEvent
from harness.stores import open_store

LEASE = 30.0


def new_event(n: int, order: str = "order-1", event: str = "APPROVED") -> NewEvent:
    return NewEvent(
        event_id=f"{n:040x}",
        event=event,
        order_id=order,
        activity_id="activity-1",
        payload="{}",
    )


@pytest.fixture
def sqlite_store(tmp_path: Path):
    store = SqliteStore(str(tmp_path / "inbox.db"))
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    target = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    store = open_store(target or str(tmp_path / "inbox.db"))
    yield store
    store.close()


def state(store: InboxStore, event_id: str) -> str:
    row = store.event(event_id)
    assert row is not None
    return row["state"]


def test_database_is_in_wal_mode(sqlite_store: SqliteStore) -> None:
    with sqlite3.connect(sqlite_store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_duplicate_event_is_a_no_op(store: InboxStore) -> None:
    assert store.add(new_event(1), now=100.0) is Admission.RECEIVED
    assert store.add(new_event(1, event="REJECTED"), now=200.0) is Admission.DUPLICATE
    row = store.event(new_event(1).event_id)
    assert row is not None
    assert (row["event"], row["received_at"], row["state"]) == ("APPROVED", 100.0, "received")


def test_claim_moves_received_to_processing_and_counts_the_attempt(store: InboxStore) -> None:
    store.add(new_event(1), now=100.0)
    claimed = store.claim(now=100.0, lease_seconds=LEASE, token="t1")
    assert claimed is not None
    assert (claimed.event_id, claimed.attempt, claimed.received_at) == (
        new_event(1).event_id, 1, 100.0,
    )  # fmt: skip
    assert state(store, claimed.event_id) == "processing"
    assert store.claim(now=100.0, lease_seconds=LEASE, token="t2") is None


def test_claim_respects_next_attempt_time(store: InboxStore) -> None:
    store.add(new_event(1), now=100.0)
    claimed = store.claim(100.0, LEASE, "t1")
    assert claimed is not None
    assert store.reschedule(claimed, when=150.0, error="boom", now=101.0)
    assert store.claim(149.0, LEASE, "t2") is None
    again = store.claim(150.0, LEASE, "t3")
    assert again is not None and again.attempt == 2
    assert store.event(again.event_id)["last_error"] == "boom"


def test_uncounted_reschedule_refunds_the_attempt(store: InboxStore) -> None:
    store.add(new_event(1), now=100.0)
    claimed = store.claim(100.0, LEASE, "t1")
    assert claimed is not None
    store.reschedule(claimed, when=100.0, error="429", now=100.0, count=False)
    assert store.claim(100.0, LEASE, "t2").attempt == 1


def test_expired_lease_is_reclaimed_and_the_old_claim_cannot_finish(store: InboxStore) -> None:
    store.add(new_event(1), now=100.0)
    first = store.claim(100.0, LEASE, "old")
    assert first is not None
    assert store.claim(100.0 + LEASE - 1, LEASE, "early") is None
    second = store.claim(100.0 + LEASE, LEASE, "new")
    assert second is not None and second.attempt == 2
    # The worker that lost its lease comes back late: its outcome is ignored.
    assert store.mark_skipped(first, "pending", 200.0) is False
    assert store.mark_done(second, "ok", 200.0) is True
    assert state(store, second.event_id) == "done"


def test_events_of_an_order_being_processed_are_not_handed_out(store: InboxStore) -> None:
    store.add(new_event(1, order="A"), now=100.0)
    store.add(new_event(2, order="A", event="PROCESSING"), now=100.0)
    store.add(new_event(3, order="B"), now=100.0)
    first = store.claim(100.0, LEASE, "t1")
    second = store.claim(100.0, LEASE, "t2")
    assert (first.order_id, second.order_id) == ("A", "B")
    assert store.claim(100.0, LEASE, "t3") is None
    store.mark_done(first, "ok", 101.0)
    third = store.claim(101.0, LEASE, "t4")
    assert third is not None and third.event_id == new_event(2).event_id


def test_forwarded_row_and_done_state_commit_together(store: InboxStore) -> None:
    store.add(new_event(1), now=100.0)
    claimed = store.claim(100.0, LEASE, "t1")
    assert store.is_forwarded("order-1") is False
    assert store.mark_forwarded(claimed, "created", "poplar-1", 101.0) is True
    assert store.is_forwarded("order-1") is True
    row = store.event(claimed.event_id)
    assert (row["state"], row["reason"]) == ("done", "forwarded:created")


def test_an_event_of_a_forwarded_order_is_stored_done_by_its_insert(store: InboxStore) -> None:
    """SoPost's later stages need no worker: the insert that acks them settles them."""
    store.add(new_event(1), now=100.0)
    store.mark_forwarded(store.claim(100.0, LEASE, "t1"), "created", "poplar-1", 101.0)
    assert store.add(new_event(2, event="DISPATCHED"), now=102.0) is Admission.ALREADY_FORWARDED
    assert store.add(new_event(3, order="order-2"), now=102.0) is Admission.RECEIVED
    assert store.add(new_event(2, event="DISPATCHED"), now=103.0) is Admission.DUPLICATE
    row = store.event(new_event(2).event_id)
    assert (row["state"], row["reason"], row["attempts"]) == ("done", "already_forwarded", 0)
    assert (row["received_at"], row["updated_at"]) == (102.0, 102.0)
    claimed = store.claim(102.0, LEASE, "t2")
    assert claimed is not None and claimed.order_id == "order-2"
    assert store.claim(102.0, LEASE, "t3") is None
    assert store.stats(102.0)["inbox"]["done"] == 2


def test_next_due_is_the_earliest_received_event(store: InboxStore) -> None:
    assert store.next_due() is None
    store.add(new_event(1, order="A"), now=100.0)
    store.add(new_event(2, order="B"), now=101.0)
    first = store.claim(101.0, LEASE, "t1")
    assert store.next_due() == 101.0  # the one still received
    store.reschedule(first, 130.0, "sopost server error 500", 102.0)
    second = store.claim(102.0, LEASE, "t2")
    assert store.next_due() == 130.0  # only the retry waits
    store.mark_done(second, "ok", 103.0)
    assert store.next_due() == 130.0


def test_forwarded_is_rolled_back_when_the_event_update_fails(sqlite_store: SqliteStore) -> None:
    """Same transaction: if marking the event fails, no forwarded row is left behind."""
    store = sqlite_store
    store.add(new_event(1), now=100.0)
    claimed = store.claim(100.0, LEASE, "t1")
    with sqlite3.connect(store.path) as conn:
        conn.execute(
            "CREATE TRIGGER fail_done BEFORE UPDATE OF state ON events WHEN NEW.state = 'done'"
            " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    conn.close()
    with pytest.raises(sqlite3.IntegrityError, match="disk on fire"):
        store.mark_forwarded(claimed, "created", None, 101.0)
    assert store.is_forwarded("order-1") is False
    assert state(store, claimed.event_id) == "processing"


def test_second_forward_of_the_same_order_keeps_the_first_row(store: InboxStore) -> None:
    store.add(new_event(1), now=100.0)
    store.add(new_event(2, event="DELIVERED"), now=100.0)
    first = store.claim(100.0, LEASE, "t1")
    store.mark_forwarded(first, "created", "p-1", 101.0)
    second = store.claim(101.0, LEASE, "t2")
    store.mark_forwarded(second, "conflict", None, 102.0)
    assert store.stats(102.0)["forwarded"] == 1


def test_recover_resets_processing_to_received(sqlite_store: SqliteStore) -> None:
    """One process per SQLite file: whatever is processing at start-up belongs to a dead run."""
    store = sqlite_store
    store.add(new_event(1), now=100.0)
    store.claim(100.0, LEASE, "t1")
    assert store.recover(now=105.0) == 1
    again = store.claim(105.0, LEASE, "t2")
    assert again is not None and again.attempt == 2


def test_dead_letters_list_and_requeue(store: InboxStore) -> None:
    store.add(new_event(1), now=100.0)
    claimed = store.claim(100.0, LEASE, "t1")
    store.mark_dead(claimed, "poplar rejected (400): ValidationError: bad", 101.0)
    [letter] = store.dead_letters()
    assert letter.reason.startswith("poplar rejected (400)")
    assert letter.attempts == 1
    assert store.requeue("nope", 102.0) is False
    assert store.requeue(claimed.event_id, 102.0) is True
    assert store.requeue(claimed.event_id, 102.0) is False  # no longer a dead letter
    assert store.dead_letters() == []
    assert store.claim(102.0, LEASE, "t2").attempt == 1  # fresh attempts


def test_recent_events_newest_change_first_with_state_and_reason(store: InboxStore) -> None:
    store.add(new_event(1, order="a"), now=100.0)
    store.add(new_event(2, order="b"), now=101.0)
    claimed = store.claim(102.0, LEASE, "t1")
    assert claimed is not None and claimed.order_id == "a"
    store.mark_skipped(claimed, "no_consent", 103.0)
    first, second = store.recent_events()
    assert (first.order_id, first.state, first.reason, first.attempts) == (
        "a",
        "skipped",
        "no_consent",
        1,
    )
    assert (second.order_id, second.state, second.updated_at) == ("b", "received", 101.0)
    assert [e.order_id for e in store.recent_events(order_id="b")] == ["b"]
    assert len(store.recent_events(limit=1)) == 1


def test_stats(store: InboxStore) -> None:
    for n, order in enumerate(["a", "b", "c", "d"], start=1):
        store.add(new_event(n, order=order), now=100.0 + n)
    a = store.claim(110.0, LEASE, "t")
    store.mark_forwarded(a, "created", None, 110.0)
    b = store.claim(110.0, LEASE, "t")
    store.mark_skipped(b, "no_consent", 110.0)
    c = store.claim(110.0, LEASE, "t")
    store.mark_dead(c, "gave up", 110.0)
    stats = store.stats(now=120.0)
    assert stats["inbox"] == {state.value: 0 for state in EventState} | {
        "done": 1, "skipped": 1, "dead": 1, "received": 1,
    }  # fmt: skip
    assert stats["forwarded"] == 1
    assert stats["skipped_by_reason"] == {"no_consent": 1}
    assert stats["dead_letters"] == 1
    assert stats["oldest_pending_age_seconds"] == 16.0


def test_concurrent_claims_never_hand_out_an_event_twice(store: InboxStore) -> None:
    for n in range(200):
        store.add(new_event(n, order=f"order-{n}"), now=100.0)
    seen: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        while (claimed := store.claim(100.0, LEASE, threading.current_thread().name)) is not None:
            with lock:
                seen.append(claimed.event_id)
            store.mark_done(claimed, "ok", 100.0)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 200 and len(set(seen)) == 200


def test_events_survive_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "inbox.db")
    first = SqliteStore(path)
    first.add(new_event(1), now=100.0)
    first.close()
    second = SqliteStore(path)
    try:
        assert second.claim(100.0, LEASE, "t") is not None
    finally:
        second.close()


def test_connections_of_finished_threads_are_closed(sqlite_store: SqliteStore) -> None:
    store = sqlite_store

    def touch() -> None:
        store.stats(0.0)

    for _ in range(5):
        thread = threading.Thread(target=touch)
        thread.start()
        thread.join()
    touch()  # a new connection prunes those of dead threads
    assert len(store._connections) <= 2
