"""The reference harness passes every MUST and SHOULD scenario (one full run, shared).

How long the run takes is a speed target, measured by ``bench/verify_harness.py``."""

from __future__ import annotations

import sys
from xml.etree import ElementTree as ET

import pytest

from contracts.scenarios import SCENARIOS
from tests.contract.verify.verify_support import Run, verify


@pytest.fixture(scope="module")
def harness_runs(tmp_path_factory) -> list[tuple[Run, object]]:
    tmp = tmp_path_factory.mktemp("verify-harness")
    env = {"HARNESS_DB": str(tmp / "inbox.db")}
    runs = []
    for attempt in ("first", "second"):
        junit = tmp / f"{attempt}.xml"
        command = f"{sys.executable} -m harness"
        runs.append(
            (verify(tmp / attempt, "--exec", command, "--junit", str(junit), env=env), junit)
        )
    return runs


@pytest.fixture(scope="module")
def harness_run(harness_runs) -> tuple[Run, object]:
    return harness_runs[-1]


def test_the_harness_passes_every_scenario_twice_with_one_inbox(harness_runs) -> None:
    for run, _ in harness_runs:
        assert run.code == 0, run.stdout[-4000:]
        statuses = {s["id"]: s["status"] for s in run.report["scenarios"]}
        assert statuses == {s.id: "passed" for s in SCENARIOS}, run.stdout[-4000:]
    first, second = (run.report["summary"]["seed"] for run, _ in harness_runs)
    assert first != second


def test_json_report_has_the_documented_shape(harness_run) -> None:
    report = harness_run[0].report
    assert report["format_version"] == 1
    for scenario in report["scenarios"]:
        assert {"id", "title", "severity", "status", "duration_s", "evidence"} <= set(scenario)
        assert scenario["severity"] in ("MUST", "SHOULD")
    summary = report["summary"]
    assert summary["total"] == len(SCENARIOS) == summary["passed"]
    assert summary["must_failed"] == summary["should_failed"] == []
    assert summary["exit_code"] == 0


def test_junit_and_terminal_reports(harness_run) -> None:
    run, junit = harness_run
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == str(len(SCENARIOS))
    assert suite.get("failures") == "0"
    lines = [line for line in run.stdout.splitlines() if line.startswith("PASS")]
    assert len(lines) == len(SCENARIOS)


def test_scenarios_judge_by_evidence(harness_run) -> None:
    approved = harness_run[0].scenario("approved-consent")
    assert approved["evidence"]["identity"]["email_sha256_matches"] is True
    assert approved["evidence"]["checked"][0]["poplar_orders"] == 1
