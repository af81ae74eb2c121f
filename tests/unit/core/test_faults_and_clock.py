"""Fault rule matching and the scheduler's ordering under a manual clock."""

from __future__ import annotations

import pytest

from mocks.core.clock import ManualClock, RealClock, Scheduler
from mocks.core.faults import Faults


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("/v1/order", "/v1/order", True),
        ("/v1/order", "/v1/order/x", False),
        ("/v1/order/*", "/v1/order/x", True),
        ("/v1/order/*", "/v1/order/x/y", False),
        ("/**", "/v1/order/x/y", True),
        ("**/orders/*", "/v1/orders/abc", True),
    ],
)
def test_path_globs(pattern: str, path: str, hit: bool) -> None:
    faults = Faults()
    faults.add(path=pattern, status=500)
    assert (faults.match("GET", path) is not None) is hit


def test_times_limits_a_rule_then_it_retires() -> None:
    faults = Faults()
    faults.add(method="POST", path="/x", status=503, times=2)
    assert [bool(faults.match("POST", "/x")) for _ in range(3)] == [True, True, False]
    assert faults.list() == []
    assert faults.match("GET", "/x") is None


def test_probability_is_seeded() -> None:
    def draws(seed: int) -> list[bool]:
        faults = Faults(seed)
        faults.add(path="/x", status=500, probability=0.5)
        return [faults.match("GET", "/x") is not None for _ in range(50)]

    assert draws(3) == draws(3)
    assert 5 < sum(draws(3)) < 45


def test_scheduler_runs_jobs_in_due_order_at_their_due_time() -> None:
    clock = ManualClock(start=100)
    scheduler = Scheduler(clock)
    seen: list[tuple[str, float]] = []
    scheduler.call_later(5, lambda: seen.append(("b", clock.now())))
    scheduler.call_later(1, lambda: seen.append(("a", clock.now())))
    late = lambda: seen.append(("c", clock.now()))  # noqa: E731
    scheduler.call_later(1, lambda: scheduler.call_later(1, late))
    assert scheduler.advance(10) == 4
    assert seen == [("a", 101), ("c", 102), ("b", 105)]
    assert clock.now() == 110


def test_a_failing_job_does_not_stop_the_others() -> None:
    scheduler = Scheduler(ManualClock(start=0))
    seen = []
    scheduler.call_later(1, lambda: 1 / 0, label="broken")
    scheduler.call_later(2, lambda: seen.append("ok"))
    scheduler.advance(3)
    assert seen == ["ok"]


def test_only_a_manual_clock_can_be_advanced() -> None:
    with pytest.raises(TypeError):
        Scheduler(RealClock()).advance(1)
