"""The consumer scenarios verify runs, in order: id, severity, one-line title, and a check.

A check gets the :class:`~contracts.context.Context`, raises
:class:`~contracts.context.ScenarioFailed` with the reason when the integration breaks the rule,
and leaves its evidence in ``ctx.evidence``. Register new ones with :func:`scenario`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contracts.context import Context

__all__ = ["SCENARIOS", "Scenario", "scenario", "select"]

Check = Callable[[Context], None]


@dataclass(frozen=True)
class Scenario:
    number: int
    id: str
    severity: str  # "MUST" or "SHOULD"
    title: str
    check: Check
    runs_last: bool = False  # judges the whole run, so it goes after every other scenario

    @property
    def position(self) -> tuple[bool, int, bool, str]:
        return (self.runs_last, self.number, self.severity != "MUST", self.id)


SCENARIOS: list[Scenario] = []


def scenario(
    number: int, id: str, severity: str, title: str, runs_last: bool = False
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        SCENARIOS.append(Scenario(number, id, severity, title, check, runs_last))
        SCENARIOS.sort(key=lambda s: s.position)
        return check

    return register


def select(wanted: tuple[str, ...] | list[str]) -> list[Scenario]:
    """Scenarios named by id or number (``7`` selects 7's MUST and SHOULD parts)."""
    if not wanted:
        return list(SCENARIOS)
    chosen = []
    for item in wanted:
        found = [s for s in SCENARIOS if item in (s.id, str(s.number), f"{s.number:02d}")]
        if not found:
            known = ", ".join(f"{s.number}:{s.id}" for s in SCENARIOS)
            raise KeyError(f"unknown scenario {item!r}; known: {known}")
        chosen.extend(s for s in found if s not in chosen)
    return sorted(chosen, key=lambda s: s.position)


# Importing the modules registers their scenarios.
from contracts.scenarios import basic, faults, load  # noqa: E402, F401
