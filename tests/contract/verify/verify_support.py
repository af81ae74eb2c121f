"""Run ``mockkit verify`` as a user would: a subprocess, its exit code, its reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
BROKEN = ROOT / "tests" / "contract" / "broken"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def scenario(self, scenario_id: str) -> dict[str, Any]:
        assert self.report is not None, self.stderr
        return next(s for s in self.report["scenarios"] if s["id"] == scenario_id)


def mockkit() -> list[str]:
    script = Path(sys.executable).parent / "mockkit"
    if script.exists():
        return [str(script)]
    return [shutil.which("mockkit") or "mockkit"]


def verify(
    tmp_path: Path, *args: str, timeout: float = 240, env: dict[str, str] | None = None
) -> Run:
    """``mockkit verify ARGS --json ...`` in a subprocess; ``env`` adds to the environment."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    report = tmp_path / "verify.json"
    done = subprocess.run(
        [*mockkit(), "verify", *args, "--json", str(report)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    data = json.loads(report.read_text()) if report.exists() else None
    return Run(done.returncode, done.stdout, done.stderr, data)


def python_command(script: Path | str) -> str:
    return f"{sys.executable} {script}"
