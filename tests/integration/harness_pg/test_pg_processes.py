"""Three harness processes on one PostgreSQL inbox; two of them SIGKILLed mid-burst."""

from __future__ import annotations

import signal

import pytest

from contracts.servers import MockPair
from tests.integration.harness_pg.pg_burst import (
    assert_exactly_once,
    delivering,
    harness_processes,
    make_burst,
)
from tests.support import wait_until

ORDERS = 1000


@pytest.mark.slow
def test_two_of_three_processes_killed_mid_burst_lose_and_duplicate_nothing(
    pg_url: str, tmp_path
) -> None:
    with MockPair() as mocks:
        burst = make_burst(mocks, ORDERS, duplicates=30)
        processes = harness_processes(mocks, pg_url, tmp_path, count=3)
        with delivering(burst, processes) as sender:
            for victim, at in ((processes[1], 250), (processes[2], 500)):
                wait_until(lambda at=at: sum(sender.acked.values()) >= at, timeout=60)
                victim.kill(signal.SIGKILL)
            # Back up while the burst goes on; each takes back the dead run's claims.
            for victim in processes[1:]:
                victim.start()
            sender.join(120)
            assert not sender.is_alive()
            final = assert_exactly_once(burst, sender, processes[0])
    print(f"refused deliveries (resent): {sender.refused}; inbox: {final['inbox']}")
