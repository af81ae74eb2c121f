"""Load: 50 connections for 30 s per served mock (``make test``: a few seconds), 0 errors, and
resident memory flat once the journal is full (issue 12).

The journal keeps at most 10,000 entries, so a warm-up fills it first; after that every
request replaces one, and a growing RSS would be a leak.
"""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from bench.common import wrk
from tests.reliability.processes import rss_kb, worker_listening_on
from tests.reliability.served import POPLAR_TOKEN, ServedMocks
from tests.reliability.sizes import SIZES

JOURNAL_ENTRIES = 10_000
GUIDE_ORDER = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
# Allocator noise on a 60-100 MB process; a leak of one journal entry per request is far more.
RSS_SLACK_KB = 8 * 1024

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


def _target(mocks: ServedMocks, mock: str) -> tuple[str, dict[str, str]]:
    if mock == "sopost":
        return f"{mocks.sopost}/v1/orders/{GUIDE_ORDER}", {}
    return f"{mocks.poplar}/v1/me", {"Authorization": f"Bearer {POPLAR_TOKEN}"}


@pytest.mark.parametrize("mock", ["sopost", "poplar"])
def test_fifty_connections_no_errors_and_flat_memory(mocks: ServedMocks, mock: str) -> None:
    url, headers = _target(mocks, mock)
    port = int(mocks.url(mock).rsplit(":", 1)[1])
    worker = worker_listening_on(mocks.pid, port)
    connections = SIZES.load_connections
    warmed, deadline = 0, time.monotonic() + 120
    while warmed < JOURNAL_ENTRIES:
        assert time.monotonic() < deadline, f"only {warmed} requests in 120 s of warm-up"
        warm = wrk(url, connections=connections, duration=3, headers=headers)
        assert warm["requests"] > 0 and warm["socket_errors"] == 0, warm
        warmed += warm["requests"]

    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            samples.append(rss_kb(worker))

    sampler = threading.Thread(target=sample, daemon=True)
    start_rss = rss_kb(worker)
    sampler.start()
    try:
        result = wrk(
            url, connections=connections, duration=int(SIZES.load_seconds), headers=headers
        )
    finally:
        done.set()
        sampler.join()
    end_rss = rss_kb(worker)
    print(
        f"{mock}: {result['rps']:.0f} req/s, p99 {result.get('p99_ms')} ms, "
        f"RSS {start_rss} -> {end_rss} kB (max {max(samples, default=end_rss)})"
    )
    assert (result["non_2xx"], result["socket_errors"]) == (0, 0), result
    assert result["requests"] > 0
    assert end_rss <= start_rss * 1.05 + RSS_SLACK_KB, (start_rss, end_rss, samples)
    assert mocks.healthy(mock)
