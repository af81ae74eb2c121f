"""The Node.js example (examples/node/) passes every scenario, twice in a row with one state
file: the second run's fresh ids are new to it, although it remembers the first run's."""

from __future__ import annotations

import shutil

import pytest

from contracts.scenarios import SCENARIOS
from tests.contract.verify.verify_support import ROOT, verify

NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="needs Node.js 20 on PATH")
def test_the_node_example_passes_twice_with_its_state_kept(tmp_path) -> None:
    state = tmp_path / "state.json"
    command = f"{NODE} {ROOT / 'examples' / 'node' / 'integration.mjs'}"
    seeds = []
    for attempt in ("first", "second"):
        run = verify(tmp_path / attempt, "--exec", command, env={"STATE_FILE": str(state)})
        statuses = {s["id"]: s["status"] for s in run.report["scenarios"]} if run.report else {}
        assert run.code == 0 and statuses == {s.id: "passed" for s in SCENARIOS}, (
            attempt,
            run.stdout[-4000:],
        )
        seeds.append(run.report["summary"]["seed"])
        assert state.exists()  # it kept its state
    assert seeds[0] != seeds[1]
