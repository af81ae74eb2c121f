"""harness.backoff: the retry schedule and the shared rate-limit gate."""

from __future__ import annotations

import random

import pytest

from harness.backoff import Backoff, RateGate


def test_ceiling_doubles_from_base_and_stops_at_cap() -> None:
    backoff = Backoff(base=1.0, cap=30.0)
    assert [backoff.ceiling(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.ceiling(10_000) == 30.0  # no overflow


@pytest.mark.parametrize("attempt", range(1, 12))
def test_delay_has_equal_jitter_within_half_and_full_step(attempt: int) -> None:
    backoff = Backoff(base=0.5, cap=60.0)
    rng = random.Random(attempt)
    step = backoff.ceiling(attempt)
    delays = [backoff.delay(attempt, rng) for _ in range(200)]
    assert all(step / 2 <= d <= step for d in delays)
    assert len(set(delays)) > 1  # actually jittered


def test_schedule_is_reproducible_with_a_seed() -> None:
    backoff = Backoff(base=1.0, cap=300.0)
    first = [backoff.delay(n, random.Random(7)) for n in range(1, 9)]
    second = [backoff.delay(n, random.Random(7)) for n in range(1, 9)]
    assert first == second


def test_zero_base_means_immediate_retry() -> None:
    assert Backoff(base=0.0, cap=0.0).delay(5) == 0.0


def test_rate_gate_only_moves_forward() -> None:
    gate = RateGate()
    assert gate.blocked_until(100.0) is None
    gate.block_until(110.0)
    gate.block_until(105.0)
    assert gate.blocked_until(100.0) == 110.0
    assert gate.blocked_until(110.0) is None
