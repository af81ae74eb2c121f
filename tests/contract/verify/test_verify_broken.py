"""Proof that verify catches bugs: each broken integration fails the scenario meant for it."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.contract.verify.verify_support import BROKEN, Run, python_command, verify

SCRIPTS = sorted(p for p in BROKEN.glob("*.py") if not p.name.startswith("_"))
# Bugs that more than one scenario must catch: (script, scenario).
ALSO = [
    ("forwards_any_event", "rejected"),
    ("never_retries", "sopost-5xx"),
    ("never_retries", "rate-limit"),
]


def _caught(script) -> tuple[str, tuple[str, ...]]:
    """The scenario a broken script names in its docstring (``Caught by verify's `id```,
    optionally ``with `--flag```) and the extra arguments that takes."""
    found = re.search(r"Caught by verify's `([a-z0-9-]+)`(?: with `([^`]+)`)?", script.read_text())
    return found.group(1), tuple((found.group(2) or "").split())


def _target(script) -> str:
    return _caught(script)[0]


CASES = [(p, _target(p)) for p in SCRIPTS] + [(BROKEN / f"{name}.py", s) for name, s in ALSO]
# The likely cause the diagnosis must name for some of them: (script, scenario) -> words.
CAUSES = {
    ("acks_into_memory", "restart"): "acknowledged before the kill",
    ("no_dedupe", "duplicate-delivery"): "submitted again after Poplar accepted it",
    ("ignores_consent", "no-consent"): "sent to Poplar although it must not be",
    ("never_retries", "sopost-5xx"): "GET /orders/{id} last answered 503",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[tuple[str, str], Run]:
    """Every case, four verify runs at a time (they mostly wait, so this halves the time)."""

    def one(case: tuple[Path, str]) -> Run:
        script, scenario_id = case
        tmp = tmp_path_factory.mktemp(f"{script.stem}-{scenario_id}")
        return verify(
            tmp,
            "--exec",
            python_command(script),
            "--scenario",
            scenario_id,
            "--timeout",
            "4",
            "--settle",
            "0.5",
            *_caught(script)[1],
        )

    tmp_path_factory.getbasetemp()  # made once here: threads making it at once race
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(one, CASES))
    return {
        (script.stem, scenario_id): run
        for (script, scenario_id), run in zip(CASES, done, strict=True)
    }


@pytest.mark.parametrize(("script", "scenario_id"), CASES, ids=[f"{p.stem}-{s}" for p, s in CASES])
def test_verify_fails_the_broken_integration_on_its_scenario(script, scenario_id, runs) -> None:
    run = runs[(script.stem, scenario_id)]
    result = run.scenario(scenario_id)
    assert result["status"] == "failed", (result, run.stderr[-2000:])
    assert result["message"]
    expected_exit = 1 if result["severity"] == "MUST" else 0
    assert run.code == expected_exit, run.stdout[-2000:]
    assert run.report["summary"]["failed"] == 1
    if result["severity"] == "MUST" and result["id"] != "poplar-valid":
        causes = [d["likely_cause"] for d in result["diagnosis"]]
        assert causes and all(causes), result
        if (script.stem, scenario_id) in CAUSES:
            assert CAUSES[(script.stem, scenario_id)] in causes[0], causes


def test_an_assumed_rule_is_a_warning_by_default_and_a_failure_with_strict(tmp_path) -> None:
    run = verify(tmp_path, "--exec", python_command(BROKEN / "unknown_field.py"), "--scenario", "1")
    result = run.scenario("approved-consent")
    assert run.code == 0 and result["status"] == "passed", run.stdout[-2000:]
    assert result["warnings"] and result["warnings"][0]["mock"] == "poplar", result
    assert "WARNINGS approved-consent" in run.stdout


def test_every_broken_script_targets_a_known_scenario() -> None:
    from contracts.scenarios import SCENARIOS

    known = {s.id for s in SCENARIOS}
    assert len(SCRIPTS) >= 15
    assert {_target(p) for p in SCRIPTS} <= known
