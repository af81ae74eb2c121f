"""`mockkit verify --webhook-url`: judging an integration that is already running."""

from __future__ import annotations

from harness.app import create_app
from harness.config import HarnessConfig
from mocks.core.server import LiveServer, free_port
from mocks.sopost.fixtures import CREDENTIALS, GUIDE
from tests.contract.verify.verify_support import verify


def test_an_already_running_integration_is_verified(tmp_path) -> None:
    sopost_port, poplar_port = free_port(), free_port()
    user, password = CREDENTIALS[GUIDE.organisation]
    # Started first, with the environment the kit prints (no signature check: the secret is
    # only known once the kit subscribes; scenario 11 is not run here).
    harness = create_app(
        HarnessConfig(
            f"http://127.0.0.1:{sopost_port}/v1",
            user,
            password,
            f"http://127.0.0.1:{poplar_port}/v1",
            "mockkit-verify-token",
            db_path=str(tmp_path / "inbox.db"),
            backoff_base=0.05,
            backoff_cap=0.5,
            poll_interval=0.05,
        )
    )
    with LiveServer(harness) as server:
        run = verify(
            tmp_path,
            "--webhook-url",
            f"{server.url}/webhooks/sopost",
            "--sopost-port",
            str(sopost_port),
            "--poplar-port",
            str(poplar_port),
            "--scenario",
            "1",
            "--scenario",
            "2",
        )
    harness.extensions["harness"].stop()
    assert run.code == 0, run.stdout + run.stderr
    assert f"PORT={server.port}" in run.stderr
    assert [s["status"] for s in run.report["scenarios"]] == ["passed", "passed"]
