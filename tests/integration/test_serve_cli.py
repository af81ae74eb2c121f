"""`mockkit serve` as a user runs it: the guide's curl commands verbatim, logs, clean stop."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mocks.core.server import free_port
from mocks.sopost.fixtures import CREDENTIALS, GUIDE, GUIDE_ORDER
from tests.support import children, running, wait_until

# The guide's two commands, character for character (only the port changes below).
GUIDE_CREATE_WEBHOOK = """curl --request POST \\
--url http://localhost:8080/webhooks \\
--header 'accept: application/json' \\
--header 'content-type: application/json' \\
--data '
{
"url": "https://example.com",
"events": [
"OrderEvent"
],
"entity_type": "Organisation",
"entity_id": "f3a10b3a-a02f-4568-b1ca-ea6571620f91"
}
'"""
GUIDE_GET_ORDER = """curl --request GET \\
--url http://localhost:8080/orders/3fa85f64-5717-4562-b3fc-2c963f66afa6 \\
--header 'accept: application/json'"""


class Served:
    """`mockkit serve` in a subprocess; ready once it prints its banner."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        # A free port, not 8080: another server may take 8080 between a check and the bind.
        self.port = free_port()
        self.ui_port = free_port()
        self.harness_port = free_port()
        command = [
            str(Path(sys.executable).with_name("mockkit")),
            "serve",
            "--sopost-port",
            str(self.port),
            "--poplar-port",
            str(free_port()),
            "--harness-port",
            str(self.harness_port),
            "--ui-port",
            str(self.ui_port),
            *args,
        ]
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
            env=None if env is None else {**os.environ, **env},
        )
        self.base = f"http://127.0.0.1:{self.port}"
        try:
            wait_until(self._ready, timeout=60, interval=0.1, message="mockkit serve's banner")
        except AssertionError:
            self.stop()
            raise

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"mockkit serve exited: {self.output()}")
        return "Press Ctrl-C" in self.output()

    def curl(self, command: str) -> tuple[int, dict]:
        command = command.replace("localhost:8080", f"localhost:{self.port}")
        output = subprocess.run(
            ["bash", "-c", command + " --silent -w '\\n%{http_code}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        body, status = output.rsplit("\n", 1)
        return int(status), json.loads(body)

    def stop(self) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        output = self.output()
        self.log.close()
        return self.process.returncode, output


@pytest.fixture
def served() -> Iterator[Served]:
    server = Served()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_guides_curl_commands_work_verbatim(served: Served) -> None:
    status, subscription = served.curl(GUIDE_CREATE_WEBHOOK)
    assert status == 201
    assert subscription["entity_id"] == GUIDE.organisation
    assert subscription["secret"].startswith("whsec_")
    status, order = served.curl(GUIDE_GET_ORDER)
    assert status == 200
    assert order == GUIDE_ORDER


def test_the_same_calls_under_v1_with_basic_credentials(served: Served) -> None:
    auth = CREDENTIALS[GUIDE.organisation]
    created = requests.post(
        f"{served.base}/v1/webhooks",
        auth=auth,
        timeout=5,
        json={
            "url": "https://example.com",
            "events": ["OrderEvent"],
            "entity_type": "Organisation",
            "entity_id": GUIDE.organisation,
        },
    )
    assert created.status_code == 201
    order = requests.get(f"{served.base}/v1/orders/{GUIDE.order}", auth=auth, timeout=5)
    assert order.status_code == 200 and order.json() == GUIDE_ORDER


def test_serve_logs_a_line_per_request_and_stops_on_sigterm(served: Served) -> None:
    requests.get(f"{served.base}/v1/orders/{GUIDE.order}", timeout=5)
    requests.get(f"{served.base}/v1/nowhere", timeout=5)
    # A writer thread writes the lines (issue 12): they come soon, not before the answer.
    lines = (f"GET /v1/orders/{GUIDE.order} 200", "GET /v1/nowhere 404")
    wait_until(lambda: all(line in served.output() for line in lines), message="request lines")
    code, output = served.stop()
    assert code == 0
    assert CREDENTIALS[GUIDE.organisation][0] in output  # the banner prints credentials


def test_quiet_silences_request_lines() -> None:
    server = Served("--quiet")
    requests.get(f"{server.base}/v1/orders/{GUIDE.order}", timeout=5)
    code, output = server.stop()
    assert code == 0, output
    assert "GET /v1/orders" not in output


def _servers_of(served: Served) -> list[int]:
    """The server processes `mockkit serve` forked: SoPost, Poplar, the harness, the flow view."""
    servers = children(served.process.pid)
    assert len(servers) == 4
    return servers


def test_the_harness_database_outlives_every_server(tmp_path: Path) -> None:
    """Without ``--harness-db`` the harness keeps its database in a scratch directory, which
    must be removed only once every server has stopped: removed first, it vanished under a
    running harness (and its removal could fail on a file the harness was still writing)."""
    server = Served(env={"TMPDIR": str(tmp_path)})
    (database,) = tmp_path.glob("*/harness.db")
    servers = _servers_of(server)
    server.process.send_signal(signal.SIGTERM)
    running_when_removed = wait_until(
        lambda: None if database.exists() else [p for p in servers if running(p)] or ["none"],
        timeout=30,
        interval=0.001,
        message="the scratch database removed",
    )
    server.process.wait(timeout=30)  # stop() would signal again: during exit, that is -15
    code, output = server.stop()
    assert code == 0, output
    assert running_when_removed == ["none"]


def test_a_second_stop_signal_kills_what_has_not_stopped() -> None:
    """Press Ctrl-C again to force: a server stuck in its stop (here frozen with SIGSTOP) is
    killed at once, and `mockkit serve` still exits 0 with no server left. The second signal
    used to cut the stop short instead, orphaning the servers not yet stopped ("Aborted!")."""
    server = Served()
    servers = _servers_of(server)
    stuck = servers[-1]  # the last started, the first the supervisor waits for
    os.kill(stuck, signal.SIGSTOP)
    server.process.send_signal(signal.SIGTERM)
    wait_until(lambda: not running(servers[0]), message="the other servers stopped")
    assert running(stuck)
    server.process.send_signal(signal.SIGINT)
    server.process.wait(timeout=30)  # stop() would signal again: during exit, that is -15
    code, output = server.stop()
    assert code == 0, output
    assert "had not stopped: killed on a second stop signal" in output
    assert [p for p in servers if running(p)] == []


def test_the_harness_forwards_without_printing_its_decision_log(served: Served) -> None:
    """Its worker process logs as its web process does: JSON lines under ``python -m
    harness``, nothing between the request lines of ``mockkit serve``."""
    order = requests.post(f"{served.base}/_mock/orders", json={"outcome": "APPROVED"}, timeout=5)
    token = re.search(r"Harness admin token \(fresh each run\): (\S+)", served.output())
    assert token is not None
    events = f"http://127.0.0.1:{served.harness_port}/events"

    def forwarded() -> bool:
        answer = requests.get(
            events,
            params={"order_id": order.json()["id"]},
            headers={"Authorization": f"Bearer {token.group(1)}"},
            timeout=5,
        ).json()
        return any((e["reason"] or "").startswith("forwarded:") for e in answer["events"])

    wait_until(forwarded, timeout=20, message="the order forwarded")
    assert '"decision"' not in served.output()


def test_serve_runs_the_flow_view_over_the_services(served: Served) -> None:
    flow = requests.get(f"http://127.0.0.1:{served.ui_port}/api/flow", timeout=5)
    assert flow.status_code == 200 and flow.json()["down"] == []
    page = requests.get(f"http://127.0.0.1:{served.ui_port}/", timeout=5).text
    assert f"http://127.0.0.1:{served.port}/_mock/ui" in page  # links to every dashboard
