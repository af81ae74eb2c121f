"""The consumer scenarios verify runs, in order: id, severity, one-line title, and a check.

A check gets the :class:`~contracts.context.Context`, raises
:class:`~contracts.context.ScenarioFailed` with the reason when the integration breaks the rule,
and leaves its evidence in ``ctx.evidence``. Register new ones with :func:`scenario`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contracts.context import Context

__all__ = ["SCENARIOS", "Scenario", "phases", "scenario", "select"]

Check = Callable[[Context], None]


@dataclass(frozen=True)
class Scenario:
    number: int
    id: str
    severity: str  # "MUST" or "SHOULD"
    title: str
    check: Check
    runs_last: bool = False  # judges the whole run, so it goes after every other scenario
    alone: bool = False  # nothing else may run meanwhile (it restarts the integration)
    prepare: Check | None = None  # started before the scenarios, e.g. work for another core

    @property
    def position(self) -> tuple[int, bool, str]:
        return (self.number, self.severity != "MUST", self.id)


SCENARIOS: list[Scenario] = []


def scenario(
    number: int,
    id: str,
    severity: str,
    title: str,
    runs_last: bool = False,
    alone: bool = False,
    prepare: Check | None = None,
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        SCENARIOS.append(Scenario(number, id, severity, title, check, runs_last, alone, prepare))
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


def phases(chosen: list[Scenario]) -> list[list[Scenario]]:
    """Groups to run one after another; the scenarios of a group run at the same time.

    Each scenario judges only its own orders and scopes its faults to them, so they can share
    the integration; one that restarts it runs alone, and one that judges the whole run last.
    """
    together = [s for s in chosen if not (s.alone or s.runs_last)]
    alone = [[s] for s in chosen if s.alone and not s.runs_last]
    last = [s for s in chosen if s.runs_last]
    return [group for group in (together, *alone, last) if group]


# Importing the modules registers their scenarios.
from contracts.scenarios import basic, faults, generated, load, restart  # noqa: E402, F401
