"""``mockkit verify --exec "python -m harness"`` passes with the inbox on PostgreSQL."""

from __future__ import annotations

import sys

import psycopg
import pytest

from contracts.scenarios import SCENARIOS
from tests.contract.verify.verify_support import verify


@pytest.mark.slow
def test_verify_passes_with_the_inbox_on_postgresql(pg_url: str, tmp_path, monkeypatch) -> None:
    # The kit hands its own environment on; a HARNESS_DB already set wins over its scratch file.
    monkeypatch.setenv("HARNESS_DB", pg_url)
    run = verify(tmp_path, "--exec", f"{sys.executable} -m harness")
    assert run.code == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert run.report is not None
    statuses = {s["id"]: s["status"] for s in run.report["scenarios"]}
    assert statuses == {s.id: "passed" for s in SCENARIOS}, run.stdout[-4000:]
    # It really was PostgreSQL that held the inbox.
    with psycopg.connect(pg_url) as conn:
        forwarded = conn.execute("SELECT count(*) FROM harness_forwarded").fetchone()
    assert forwarded is not None and forwarded[0] > 0
