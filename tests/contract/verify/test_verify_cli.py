"""Usage and start-up errors exit 2 with a reason, an interrupted run 130; nothing is left
running."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from contracts.process import port_open
from tests.contract.verify.verify_support import mockkit, verify
from tests.support import running, wait_until


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


def _listening(pid: int) -> bool:
    """The integration accepts connections on the ``PORT`` verify gave it."""
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    port = next(int(item[5:]) for item in environ if item.startswith(b"PORT="))
    return port_open("127.0.0.1", port)


def _interrupted(tmp_path: Path, integration: str, listening: bool, stop: signal.Signals) -> int:
    """Run verify on ``integration`` (a shell command, exec'd, so the pid written first is
    its own), send ``stop`` once it runs (and, if ``listening``, once it listens, so the
    scenarios are under way); return its pid after verify exits 130."""
    pid_file = tmp_path / "integration.pid"
    log = tmp_path / "verify.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [*mockkit(), "verify", "--exec", f"echo $$ > {pid_file}; exec {integration}"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), timeout=60)
            pid = int(pid_file.read_text())
            if listening:
                wait_until(lambda: _listening(pid), timeout=60, message="the integration up")
            process.send_signal(stop)
            assert process.wait(timeout=60) == 130, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()
    assert "interrupted; the integration and mocks are stopped" in log.read_text()
    return pid


def test_sigterm_during_the_scenarios_stops_the_integration(tmp_path: Path) -> None:
    """`timeout`, a cancelled CI job and `kill` send SIGTERM: it ended verify on the spot and
    left the integration, in a session of its own, running on its port."""
    server = f"{sys.executable} -m http.server --bind 127.0.0.1 $PORT"
    pid = _interrupted(tmp_path, server, listening=True, stop=signal.SIGTERM)
    assert not running(pid)


def test_ctrl_c_while_the_integration_starts_stops_it(tmp_path: Path) -> None:
    """The integration is launched before it listens; a Ctrl-C then left it running."""
    hang = f"{sys.executable} -c 'import time; time.sleep(60)'"
    pid = _interrupted(tmp_path, hang, listening=False, stop=signal.SIGINT)
    assert not running(pid)
