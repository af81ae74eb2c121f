"""Report rendering and exit codes, and scenario selection, without running anything."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from contracts.report import Report, Result
from contracts.scenarios import SCENARIOS, phases, select


def _report(*statuses: tuple[str, str]) -> Report:
    return Report(
        [
            Result(
                f"s{i}",
                i,
                f"title {i}",
                severity,
                status,
                0.5,
                "why" if status != "passed" else "",
                {"orders": ["o"]},
            )
            for i, (severity, status) in enumerate(statuses)
        ],
        1.0,
    )


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ((("MUST", "passed"), ("SHOULD", "failed")), 0),
        ((("MUST", "failed"), ("SHOULD", "passed")), 1),
        ((("MUST", "error"),), 1),
        ((("MUST", "skipped"), ("SHOULD", "error")), 0),
    ],
)
def test_exit_code_follows_must_scenarios_only(statuses, code) -> None:
    assert _report(*statuses).exit_code == code


def test_json_and_junit(tmp_path) -> None:
    report = _report(("MUST", "failed"), ("SHOULD", "skipped"), ("SHOULD", "passed"))
    report.write_json(tmp_path / "r.json")
    report.write_junit(tmp_path / "r.xml")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["summary"]["must_failed"] == ["s0"]
    assert (data["summary"]["failed"], data["summary"]["skipped"]) == (1, 1)
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite.get("failures") == "1" and suite.get("skipped") == "1"
    assert "FAIL" in report.terminal() and "exit 1" in report.terminal()


def test_select_by_id_or_number() -> None:
    assert [s.id for s in select(["7"])] == ["rate-limit", "rate-limit-wait"]
    assert [s.id for s in select(["poplar-valid", "1"])] == ["approved-consent", "poplar-valid"]
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS) == 20
    with pytest.raises(KeyError, match="unknown scenario"):
        select(["99"])


def test_phases_run_independent_scenarios_together_restart_alone_poplar_valid_last() -> None:
    groups = [[s.id for s in group] for group in phases(select([]))]
    assert groups[-1] == ["poplar-valid"]
    assert ["restart"] in groups
    assert {"approved-consent", "burst", "generated-orders", "sopost-5xx"} <= set(groups[0])
    assert sum(len(g) for g in groups) == len(SCENARIOS)


def test_a_failed_must_scenario_shows_its_diagnosis_everywhere(tmp_path) -> None:
    diagnosis = {
        "order_id": "o-1",
        "expected": "exactly once in Poplar",
        "deliveries": [
            {
                "event": "APPROVED",
                "delivery": "succeeded",
                "attempts": [{"status": 202, "latency_ms": 3.2, "error": None}],
            }
        ],
        "fetched": [],
        "poplar": [],
        "stored_in_poplar": 0,
        "likely_cause": "the webhook was answered 2xx but the order was never fetched",
    }
    report = _report(("MUST", "failed"))
    report.results[0].diagnosis = [diagnosis]
    report.seed = 42
    report.write_json(tmp_path / "r.json")
    report.write_junit(tmp_path / "r.xml")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["format_version"] == 1 and data["summary"]["seed"] == 42
    assert data["scenarios"][0]["diagnosis"] == [diagnosis]
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite.find("properties/property").get("value") == "42"
    failure = suite.find("testcase/failure").text
    for text in (report.terminal(), failure):
        assert "webhook APPROVED: succeeded (202 in 3 ms)" in text
        assert "GET /orders/{id}: never called" in text
        assert "likely cause: the webhook was answered 2xx but the order was never fetched" in text


def test_findings_of_assumed_rules_are_listed_for_passing_scenarios_too(tmp_path) -> None:
    report = _report(("MUST", "passed"))
    report.results[0].warnings = [
        {"mock": "poplar", "request": "POST /v1/order", "order_id": "o", "finding": "x: assumed"}
    ]
    report.write_junit(tmp_path / "r.xml")
    assert "warning (poplar) POST /v1/order: x: assumed" in report.terminal()
    out = ET.parse(tmp_path / "r.xml").getroot().find("testsuite/testcase/system-out").text
    assert "x: assumed" in out
