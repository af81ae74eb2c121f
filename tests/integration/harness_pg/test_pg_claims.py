"""Claims across processes: SKIP LOCKED, per-order exclusion, leases that outlive their owner."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from harness.pg_store import PostgresStore
from harness.store import Admission
from tests.unit.harness.test_harness_store import LEASE, new_event


@pytest.fixture
def two_processes(pg_url: str) -> Iterator[tuple[PostgresStore, PostgresStore]]:
    """Two stores on one database: what two harness processes see."""
    first, second = PostgresStore(pg_url, workers=4), PostgresStore(pg_url, workers=4)
    yield first, second
    first.close()
    second.close()


def test_concurrent_processes_never_hold_one_order_twice(two_processes) -> None:
    """8 workers in 2 "processes" race over 60 orders of 3 events each: every event is handed
    out once, and no two live claims are ever on the same order."""
    for n in range(180):
        two_processes[n % 2].add(new_event(n, order=f"order-{n % 60}"), now=100.0)
    held: set[str] = set()
    seen: list[str] = []
    overlaps: list[str] = []
    lock = threading.Lock()
    pause = threading.Event()  # never set

    def work(store: PostgresStore) -> None:
        name = threading.current_thread().name
        while (claimed := store.claim(100.0, LEASE, name)) is not None:
            with lock:
                if claimed.order_id in held:
                    overlaps.append(claimed.order_id)
                held.add(claimed.order_id)
                seen.append(claimed.event_id)
            pause.wait(0.002)  # the event's work: a window for another claim of its order
            with lock:
                held.discard(claimed.order_id)
            assert store.mark_done(claimed, "ok", 100.0)

    threads = [threading.Thread(target=work, args=(two_processes[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert overlaps == []
    assert sorted(seen) == sorted(new_event(n).event_id for n in range(180))


def test_a_dead_process_releases_its_event_only_when_the_lease_expires(two_processes) -> None:
    alive, dead = two_processes
    alive.add(new_event(1), now=100.0)
    claimed = dead.claim(100.0, LEASE, "dies-now")
    assert claimed is not None
    # A process starting meanwhile must not steal a claim that may still be in flight...
    assert alive.recover(now=100.0 + LEASE - 1) == 0
    assert alive.claim(100.0 + LEASE - 1, LEASE, "too-early") is None
    # ...but once the lease is over, anyone may take it, and the late owner cannot finish.
    assert alive.recover(now=100.0 + LEASE) == 1
    again = alive.claim(100.0 + LEASE, LEASE, "successor")
    assert again is not None and again.attempt == 2
    assert dead.mark_done(claimed, "late", 200.0) is False
    assert alive.mark_done(again, "ok", 200.0) is True


def test_a_webhook_delivered_to_two_processes_is_stored_once(two_processes) -> None:
    results: list[Admission] = []
    gate = threading.Barrier(2)

    def deliver(store: PostgresStore) -> None:
        gate.wait()
        results.append(store.add(new_event(7), now=100.0))

    threads = [threading.Thread(target=deliver, args=(store,)) for store in two_processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [Admission.DUPLICATE, Admission.RECEIVED]
    assert two_processes[0].stats(100.0)["inbox"]["received"] == 1


def test_a_restarted_process_takes_back_a_dead_processs_claims_at_once(two_processes) -> None:
    """The owner's session is gone (its advisory lock free): no need to wait for the lease."""
    survivor, dead = two_processes
    survivor.add(new_event(1, order="A"), now=100.0)
    survivor.add(new_event(2, order="B"), now=100.0)
    lost = dead.claim(100.0, LEASE, "dies")
    kept = survivor.claim(100.0, LEASE, "lives")
    assert lost is not None and kept is not None
    dead.owners.close()  # what kill -9 does to its session
    assert survivor.recover(now=101.0) == 1  # the dead one's claim only, the lease still live
    again = survivor.claim(101.0, LEASE, "successor")
    assert again is not None and again.event_id == lost.event_id
    assert survivor.mark_done(kept, "ok", 102.0) is True
