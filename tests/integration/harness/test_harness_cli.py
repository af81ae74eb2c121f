"""``python -m harness`` refuses to start on an incomplete environment (exit code 2)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_missing_configuration_exits_2_listing_every_variable() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOPOST_", "POPLAR_"))}
    env["POPLAR_API_TOKEN"] = "token"
    env["HARNESS_MAX_ATTEMPTS"] = "zero"
    result = subprocess.run(
        [sys.executable, "-m", "harness"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stdout == ""
    message = result.stderr
    assert message.startswith("harness: harness configuration is incomplete")
    assert (
        "missing required variable(s): SOPOST_API_URL, SOPOST_API_USER, SOPOST_API_PASSWORD,"
        " POPLAR_API_URL" in message
    )
    assert "POPLAR_API_TOKEN" not in message
    assert "HARNESS_MAX_ATTEMPTS='zero'" in message
