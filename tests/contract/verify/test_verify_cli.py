"""Usage and start-up errors exit 2 with a reason; nothing is left running."""

from __future__ import annotations

import sys

from tests.contract.verify.verify_support import verify


def test_exec_or_url_is_required(tmp_path) -> None:
    run = verify(tmp_path)
    assert run.code == 2
    assert "exactly one of --exec" in run.stderr


def test_unknown_scenario_lists_the_known_ones(tmp_path) -> None:
    run = verify(tmp_path, "--exec", "true", "--scenario", "nope")
    assert run.code == 2
    assert "unknown scenario 'nope'" in run.stderr
    assert "approved-consent" in run.stderr


def test_integration_that_never_listens_is_a_startup_error(tmp_path) -> None:
    command = f"{sys.executable} -c \"print('booting'); print('config missing'); exit(3)\""
    run = verify(tmp_path, "--exec", command, "--startup-timeout", "5")
    assert run.code == 2
    assert "exited with code 3" in run.stderr
    assert "config missing" in run.stderr
    assert run.report is None


def test_integration_that_hangs_without_listening_times_out(tmp_path) -> None:
    command = f"{sys.executable} -c \"import time; print('stuck', flush=True); time.sleep(60)\""
    run = verify(tmp_path, "--exec", command, "--startup-timeout", "1.5")
    assert run.code == 2
    assert "did not listen" in run.stderr and "stuck" in run.stderr


def test_webhook_url_mode_needs_a_listener(tmp_path) -> None:
    run = verify(
        tmp_path,
        "--webhook-url",
        "http://127.0.0.1:9/webhooks/sopost",
        "--sopost-port",
        "0",
        "--poplar-port",
        "0",
    )
    assert run.code == 2
    assert "nothing listens" in run.stderr
    assert "SOPOST_WEBHOOK_SECRET=whsec_" in run.stderr
