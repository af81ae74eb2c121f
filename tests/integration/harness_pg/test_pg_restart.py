"""PostgreSQL restarted under a burst (``pg_ctl restart``): ridden out, nothing lost."""

from __future__ import annotations

import psycopg
import pytest
import requests

from contracts.servers import MockPair
from harness.pg_sql import OWNER_LOCK_SPACE
from tests.integration.harness_pg.pg_burst import (
    assert_exactly_once,
    delivering,
    harness_processes,
    make_burst,
)
from tests.support import wait_until

ORDERS = 400


def owner_locks(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid::bigint = %s"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (OWNER_LOCK_SPACE,),
        ).fetchone()
    return row[0] if row else 0


@pytest.mark.slow
def test_database_restart_mid_burst_loses_nothing(pg_cluster, pg_url: str, tmp_path) -> None:
    with MockPair() as mocks:
        burst = make_burst(mocks, ORDERS, duplicates=10)
        processes = harness_processes(mocks, pg_url, tmp_path, count=2)
        with delivering(burst, processes) as sender:
            wait_until(lambda: sum(sender.acked.values()) >= ORDERS // 3, timeout=60)
            pg_cluster.restart()
            sender.join(120)
            assert not sender.is_alive()
            # The same processes, never restarted: their pools reconnected by themselves.
            for process in processes:
                health = requests.get(f"{process.url}/health", timeout=5).json()
                assert (health["status"], health["database"]) == ("ok", "postgresql")
            final = assert_exactly_once(burst, sender, processes[0])
            # Each process took its owner lock again, so peers still see it alive.
            wait_until(lambda: owner_locks(pg_url) == len(processes), timeout=30)
            retried = sum(p.log.read_text().count("retrying") for p in processes)
    print(f"operations retried through the restart: {retried}")
    print(f"refused deliveries (resent): {sender.refused}; inbox: {final['inbox']}")
