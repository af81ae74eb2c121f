"""How big each reliability check runs: reduced inside ``make test``, full under
``make reliability`` (``MOCKKIT_RELIABILITY=full``). One place, so both stay in step."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["SIZES", "Sizes"]


@dataclass(frozen=True)
class Sizes:
    full: bool
    fuzz_cases: int  # schemathesis cases per mock (all phases, over as many seeds as it takes)
    fuzz_examples: int  # hypothesis max_examples per operation and run
    load_seconds: float  # per mock, 50 connections
    load_connections: int
    chaos_orders: int
    chaos_kills: int


_FULL = Sizes(
    full=True,
    fuzz_cases=10_000,
    fuzz_examples=50,
    load_seconds=30.0,
    load_connections=50,
    chaos_orders=1_000,
    chaos_kills=10,
)
_REDUCED = Sizes(
    full=False,
    fuzz_cases=300,
    fuzz_examples=1,
    load_seconds=3.0,
    load_connections=50,
    chaos_orders=40,
    chaos_kills=2,
)

SIZES = _FULL if os.environ.get("MOCKKIT_RELIABILITY") == "full" else _REDUCED
