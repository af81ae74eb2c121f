"""SoPost state at 100,000 orders: memory growth, and whether lookups stay flat.

In-process: a SoPost app (manual clock, scheduler and senders not started) with no fixture
orders; orders are placed through the state layer (``SoPostState.place_order``, held at
PENDING as ``outcome: PENDING``) with realistic field sizes (an address, one consent record,
one custom question with two answers). Measured at 1k and at 100k orders:

* RSS growth (``VmRSS`` after ``gc.collect()``) from the empty state; target <= 300 MB at 100k;
* ``GET /orders/{id}`` through Flask's test client, random ids (the whole request path), and
  ``state.order(id)`` alone; target: flat (100k no more than 1.5x the 1k time);
* for context, the cost of one filtering decision (an order's automatic PENDING -> decision
  step, run by advancing the manual clock), which scans the campaign's orders.

Writes ``bench/results/sopost_memory.json``.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import loadavg, write_result
from mocks.core.config import RuntimeConfig
from mocks.sopost.app import SoPostConfig, create_app
from mocks.sopost.fixtures import GUIDE, GUIDE_ORDER

TARGET_MB = 300
FLAT_RATIO = 1.5
SIZES = (1_000, 100_000)
LOOKUPS = 2_000
ROUNDS = 5


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def fields(index: int, activity: Any) -> dict[str, Any]:
    consent = activity.consents[0]
    partition = sorted(activity.stock_partition_ids())[0]
    return {
        "activity_id": activity.id,
        "full_name": f"Customer Number{index:06d} Smith",
        "email": f"customer.{index:06d}@example.com",
        "address": {
            "line_1": f"{index % 300 + 1} Station Road",
            "line_2": None,
            "town": "Newcastle upon Tyne",
            "district": None,
            "territory": "GBR",
            "postcode": f"NE{index % 99 + 1} {index % 9}{chr(65 + index % 26)}"
            f"{chr(65 + index // 26 % 26)}",
        },
        "line_items": [{"stock_partition_id": partition}],
        "telephone": f"+4419149{index % 100000:05d}",
        "consents": [
            {
                "consent_id": consent.id,
                "consent_name": consent.consent_name,
                "data_handler": consent.data_handler,
                "status": "APPROVED",
            }
        ],
        "custom_questions": GUIDE_ORDER["custom_questions"],
    }


def time_lookups(app: Any, ids: list[str]) -> dict[str, Any]:
    mock = app.extensions["mockkit"]
    client = app.test_client()
    rng = random.Random(7)
    request_us, state_us = [], []
    for _ in range(ROUNDS):
        sample = [rng.choice(ids) for _ in range(LOOKUPS)]
        started = time.perf_counter()
        for order_id in sample:
            response = client.get(f"/orders/{order_id}")
            assert response.status_code == 200
        request_us.append((time.perf_counter() - started) * 1e6 / LOOKUPS)
        started = time.perf_counter()
        for order_id in sample:
            mock.state.order(order_id, GUIDE.organisation)
        state_us.append((time.perf_counter() - started) * 1e6 / LOOKUPS)
    return {
        "request_us": {
            "best": round(min(request_us), 2),
            "median": round(statistics.median(request_us), 2),
        },
        "state_lookup_us": {
            "best": round(min(state_us), 3),
            "median": round(statistics.median(state_us), 3),
        },
    }


def time_filtering(mock: Any, activity: Any, start: int, count: int = 20) -> dict[str, Any]:
    """``count`` fresh orders with the real lifecycle; advance past the filtering delay."""
    for index in range(start, start + count):
        mock.state.place_order(GUIDE.organisation, fields(index, activity))
    scheduler = mock.runtime.scheduler
    started = time.perf_counter()
    ran = scheduler.advance(mock.config.lifecycle.filtering_delay + 0.001)
    elapsed = (time.perf_counter() - started) * 1000
    return {"decisions": ran, "ms_per_decision": round(elapsed / max(ran, 1), 3)}


def main() -> dict[str, Any]:
    app = create_app(
        SoPostConfig(runtime=RuntimeConfig(clock="manual"), fixture_orders=0), start=False
    )
    mock = app.extensions["mockkit"]
    activity = mock.state.catalogue.activities[GUIDE.activity]
    # Warm the request path before the baseline, so its caches are not counted as orders.
    time_lookups(app, [GUIDE.order] if _has(mock, GUIDE.order) else _seed_one(mock, activity))
    gc.collect()
    baseline = rss_mb()
    ids: list[str] = []
    points = []
    placed = 0
    build_seconds = 0.0
    for size in SIZES:
        started = time.perf_counter()
        while placed < size:
            order = mock.state.place_order(
                GUIDE.organisation, fields(placed, activity), outcome="PENDING"
            )
            ids.append(order.id)
            placed += 1
        build_seconds += time.perf_counter() - started
        gc.collect()
        growth = rss_mb() - baseline
        point = {
            "orders": size,
            "loadavg_before": loadavg(),
            "rss_growth_mb": round(growth, 1),
            "bytes_per_order": round(growth * 1024 * 1024 / size),
            "build_seconds_cumulative": round(build_seconds, 2),
            **time_lookups(app, ids),
            "filtering": time_filtering(mock, activity, 10_000_000 + size),
        }
        print(
            f"{size} orders: +{point['rss_growth_mb']} MB, GET /orders/{{id}} "
            f"{point['request_us']['median']} us, state.order "
            f"{point['state_lookup_us']['median']} us, filtering decision "
            f"{point['filtering']['ms_per_decision']} ms",
            flush=True,
        )
        points.append(point)
    small, large = points
    ratio = large["request_us"]["median"] / small["request_us"]["median"]
    data = {
        "parameters": {
            "sizes": list(SIZES),
            "lookups_per_round": LOOKUPS,
            "rounds": ROUNDS,
            "how": "in-process; SoPostState.place_order(outcome=PENDING); Flask "
            "test client for GET /orders/{id}; RSS from /proc/self/status",
        },
        "baseline_rss_mb": round(baseline, 1),
        "points": points,
        "lookup_ratio_100k_vs_1k": round(ratio, 2),
        "targets": {
            "rss_growth_mb_at_100k": f"<= {TARGET_MB}",
            "lookup": f"flat (100k/1k <= {FLAT_RATIO})",
        },
        "pass": {"rss": large["rss_growth_mb"] <= TARGET_MB, "lookup_flat": ratio <= FLAT_RATIO},
    }
    path = write_result("sopost_memory", data)
    print(f"wrote {path}")
    return data


def _has(mock: Any, order_id: str) -> bool:
    try:
        mock.state.order(order_id)
    except Exception:
        return False
    return True


def _seed_one(mock: Any, activity: Any) -> list[str]:
    return [
        mock.state.place_order(
            GUIDE.organisation, fields(9_999_999, activity), outcome="PENDING"
        ).id
    ]


if __name__ == "__main__":
    main()
