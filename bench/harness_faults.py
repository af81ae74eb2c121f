"""The harness draining a backlog while Poplar fails: 20 % 429 and 20 % 500 (issue 12).

Same stack as bench/harness.py (``mockkit serve``, Poplar's window 1 s, so every 429 carries
an ``x-rate-limit-reset`` at most 1 s ahead, and the quota it reports is not exhausted). Three
rounds of 1,000 approved orders each, timed until the harness has forwarded them all:

1. fault-free (the reference rate);
2. Poplar answers ``POST /v1/order`` with 429 (20 %) or 500 (20 % of all: 25 % of the rest);
3. the same faults with a backlog built first: the harness is cut off from Poplar (every
   submit 503) while the orders arrive, then the faults switch to 429/500 and the backlog
   drains.

Target: rounds 2 and 3 at no less than half the fault-free rate. Also reported: how many
429s and 500s Poplar sent, and how many submits it stored (must equal the orders).
Writes ``bench/results/harness_faults.json``.
"""

from __future__ import annotations

import time
from typing import Any

import requests

from bench.common import loadavg, write_result
from bench.harness import THROUGHPUT_ORDERS, Stack, forwarding_throughput, warmed_stack

FAULTS = ({"status": 429, "probability": 0.2}, {"status": 500, "probability": 0.25})
HOLD = {"status": 503}


def _fault(stack: Stack, rule: dict[str, Any]) -> str:
    response = requests.post(
        f"{stack.poplar}/_mock/faults",
        json={"method": "POST", "path": "/v1/order", **rule},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["id"]


def _clear_faults(stack: Stack) -> None:
    requests.delete(f"{stack.poplar}/_mock/faults", timeout=10).raise_for_status()


def _submit_statuses(stack: Stack, since: float) -> dict[str, int]:
    entries = requests.get(
        f"{stack.poplar}/_mock/requests",
        params={"method": "POST", "path": "/v1/order", "limit": 100_000},
        timeout=60,
    ).json()["requests"]
    counts: dict[str, int] = {}
    for entry in entries:
        if entry["time"] >= since:
            counts[str(entry["status"])] = counts.get(str(entry["status"]), 0) + 1
    return counts


def _round(stack: Stack, name: str) -> dict[str, Any]:
    since = time.time()
    result, _ = forwarding_throughput(stack)
    result["poplar_submits_by_status"] = _submit_statuses(stack, since)
    print(f"{name}: {result['orders_per_s']} orders/s {result['poplar_submits_by_status']}")
    return result


def _backlog_round(stack: Stack) -> dict[str, Any]:
    """Orders arrive while every submit is held off (503), then drain under 429/500."""
    hold = _fault(stack, HOLD)
    before = stack.forwarded()
    session = requests.Session()
    load = loadavg()
    for _ in range(THROUGHPUT_ORDERS):
        stack.create_approved(session)
    since = time.time()  # before the hold lifts: a submit may land before the faults are in
    requests.delete(f"{stack.poplar}/_mock/faults/{hold}", timeout=10).raise_for_status()
    for rule in FAULTS:
        _fault(stack, rule)
    started = time.time()
    done = stack.wait_forwarded(before + THROUGHPUT_ORDERS, timeout=600)
    result = {
        "loadavg_before": load,
        "orders": THROUGHPUT_ORDERS,
        "drain_seconds": round(done - started, 3),
        "orders_per_s": round(THROUGHPUT_ORDERS / (done - started), 1),
        "poplar_submits_by_status": _submit_statuses(stack, since),
    }
    _clear_faults(stack)
    print(f"backlog drain: {result['orders_per_s']} orders/s {result['poplar_submits_by_status']}")
    return result


def main() -> dict[str, Any]:
    with warmed_stack("mockkit serve (harness faults bench)") as stack:
        clean = _round(stack, "fault-free")
        for rule in FAULTS:
            _fault(stack, rule)
        faulty = _round(stack, "20 % 429 + 20 % 500")
        _clear_faults(stack)
        backlog = _backlog_round(stack)
        status = stack.status()
    reference = clean["orders_per_s"]
    data = {
        "parameters": {
            "serve": " ".join(stack.command()[3:]),
            "orders_per_round": THROUGHPUT_ORDERS,
            "faults": list(FAULTS),
        },
        "fault_free": clean,
        "faults_while_arriving": faulty,
        "faults_draining_a_backlog": backlog,
        "harness_status_after": status,
        "ratio_to_fault_free": {
            "faults_while_arriving": round(faulty["orders_per_s"] / reference, 3),
            "faults_draining_a_backlog": round(backlog["orders_per_s"] / reference, 3),
        },
        "targets": {"ratio_to_fault_free": ">= 0.5"},
        "pass": {
            "faults_while_arriving": faulty["orders_per_s"] >= reference / 2,
            "faults_draining_a_backlog": backlog["orders_per_s"] >= reference / 2,
        },
    }
    path = write_result("harness_faults", data)
    print(f"wrote {path}")
    return data


if __name__ == "__main__":
    main()
