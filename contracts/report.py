"""Verify results and their three renderings: terminal, JUnit XML, JSON (format version 1).

The JSON format is a public contract (CI tools parse it); the README documents it.
Add fields, never rename or remove them, and bump ``FORMAT_VERSION`` if you must.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from contracts.diagnose import render

__all__ = ["FORMAT_VERSION", "Report", "Result"]

FORMAT_VERSION = 1
STATUSES = ("passed", "failed", "error", "skipped")


@dataclass
class Result:
    id: str
    number: int
    title: str
    severity: str
    status: str  # passed | failed | error | skipped
    duration_s: float
    message: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    diagnosis: list[dict[str, Any]] = field(default_factory=list)  # failed MUST only
    warnings: list[dict[str, Any]] = field(default_factory=list)  # assumed constraints hit

    def details(self) -> list[str]:
        """What a reader of a failure needs, as text: diagnosis, warnings, then evidence."""
        lines = render(self.diagnosis) + self.warning_lines()
        evidence = json.dumps(self.evidence, indent=2, default=str).splitlines()
        return [*lines, "evidence:", *evidence]

    def warning_lines(self) -> list[str]:
        return [f"warning ({w['mock']}) {w['request']}: {w['finding']}" for w in self.warnings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "duration_s": round(self.duration_s, 3),
            "message": self.message,
            "evidence": self.evidence,
            "diagnosis": self.diagnosis,
            "warnings": self.warnings,
        }


@dataclass
class Report:
    results: list[Result]
    duration_s: float
    integration: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None  # the run seed: ``--seed`` replays the run

    def counts(self) -> dict[str, int]:
        return {status: sum(r.status == status for r in self.results) for status in STATUSES}

    def broken(self, severity: str) -> list[Result]:
        return [
            r for r in self.results if r.severity == severity and r.status in ("failed", "error")
        ]

    @property
    def exit_code(self) -> int:
        return 1 if self.broken("MUST") else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "scenarios": [r.to_dict() for r in self.results],
            "summary": {
                "total": len(self.results),
                **self.counts(),
                "must_failed": [r.id for r in self.broken("MUST")],
                "should_failed": [r.id for r in self.broken("SHOULD")],
                "duration_s": round(self.duration_s, 3),
                "exit_code": self.exit_code,
                "seed": self.seed,
                "integration": self.integration,
            },
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2, default=str) + "\n")

    def write_junit(self, path: Path) -> None:
        counts = self.counts()
        suite = ET.Element(
            "testsuite",
            name="mockkit verify",
            tests=str(len(self.results)),
            failures=str(counts["failed"]),
            errors=str(counts["error"]),
            skipped=str(counts["skipped"]),
            time=f"{self.duration_s:.3f}",
        )
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="seed", value=str(self.seed))
        for result in self.results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"mockkit.verify.{result.severity}",
                name=f"{result.number:02d} {result.id}: {result.title}",
                time=f"{result.duration_s:.3f}",
            )
            detail = "\n".join(result.details())
            if result.status in ("failed", "error"):
                tag = "failure" if result.status == "failed" else "error"
                ET.SubElement(
                    case, tag, message=f"[{result.severity}] {result.message}", type=result.severity
                ).text = detail
            elif result.status == "skipped":
                ET.SubElement(case, "skipped", message=result.message)
            if result.warnings and result.status not in ("failed", "error"):
                ET.SubElement(case, "system-out").text = "\n".join(result.warning_lines())
        root = ET.Element("testsuites")
        root.append(suite)
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)

    def terminal(self) -> str:
        marks = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}
        lines = [
            f"{marks[r.status]:<5} {r.severity:<6} {r.number:>2} {r.id:<18} "
            f"{r.duration_s:5.1f}s  {r.title}"
            for r in self.results
        ]
        troubled = [r for r in self.results if r.status in ("failed", "error")]
        for result in troubled:
            lines += [
                "",
                f"--- {result.status.upper()} {result.severity} {result.id}: {result.message}",
            ]
            lines += ["    " + line for line in result.details()[:80]]
        for result in self.results:
            if result.warnings and result not in troubled:
                lines += ["", f"--- WARNINGS {result.id} (assumed rules; --strict fails them)"]
                lines += ["    " + line for line in result.warning_lines()[:20]]
        counts = self.counts()
        must, should = self.broken("MUST"), self.broken("SHOULD")
        lines += [
            "",
            f"{counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['error']} errors, {counts['skipped']} skipped in "
            f"{self.duration_s:.1f}s; MUST broken: {len(must)}, SHOULD broken: "
            f"{len(should)} -> exit {self.exit_code} (run seed {self.seed})",
        ]
        return "\n".join(lines)
