"""``python -m harness`` forwards from a worker process of its own: woken by each webhook,
restarted when it dies, never outliving the web process, and in-process on request."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
from pathlib import Path

import requests

from contracts.servers import integration_env
from mocks.core.server import free_port
from tests.integration.harness.rig import FILTERING, Vendors, event_for, signed_headers, vendors
from tests.integration.harness.test_harness_crash import HarnessProcess
from tests.support import wait_until


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its command line."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child in [p for p, pp in parents.items() if pp == parent]:
            try:
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            frontier.append(child)
    return {p: cmd.decode() for p, cmd in found.items()}


def worker_processes(harness: HarnessProcess) -> list[int]:
    assert harness.proc is not None
    found = descendants(harness.proc.pid)
    return [pid for pid, cmd in found.items() if "harness.worker_process" in cmd]


def start(mocks: Vendors, tmp_path: Path, **env: str) -> tuple[HarnessProcess, str]:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_", "SOPOST_"))}
    harness_env = integration_env(
        mocks.sopost.url, mocks.poplar.url, free_port(), *mocks.auth, secret, base=clean
    )
    harness_env.update(HARNESS_DB=str(tmp_path / "inbox.db"), **env)
    harness = HarnessProcess(harness_env, tmp_path / "harness.log")
    harness.start()
    return harness, secret


def forward_one(mocks: Vendors, harness: HarnessProcess, secret: str) -> None:
    """An approved order's webhook ends up in Poplar (the default 0.5 s poll is far off)."""
    order = mocks.sopost.create_order(outcome="APPROVED")
    mocks.sopost.advance_clock(FILTERING)
    body = json.dumps(event_for(order)).encode()
    response = requests.post(
        f"{harness.url}/webhooks/sopost", data=body, headers=signed_headers(body, secret)
    )
    assert response.status_code == 202
    wait_until(lambda: order["id"] in mocks.stored(), timeout=10, message="forwarded")


def test_a_dead_worker_process_is_replaced_and_forwarding_goes_on(tmp_path: Path) -> None:
    with vendors() as mocks:
        harness, secret = start(mocks, tmp_path)
        try:
            [first] = worker_processes(harness)
            forward_one(mocks, harness, secret)
            # python -m harness logs its decisions as JSON: the worker process's too.
            wait_until(
                lambda: '"decision": "forwarded"' in harness.log.read_text(),
                timeout=10,
                message="the worker process's decision log",
            )
            os.kill(first, signal.SIGKILL)
            replaced = wait_until(
                lambda: [p for p in worker_processes(harness) if p != first],
                timeout=10,
                message="a new worker process",
            )
            assert len(replaced) == 1
            wait_until(harness.healthy, timeout=10, message="healthy again")
            forward_one(mocks, harness, secret)
        finally:
            harness.kill(signal.SIGTERM)


def test_the_worker_process_dies_with_the_web_process(tmp_path: Path) -> None:
    """Only the main process is killed: granian's worker follows it, and the worker process
    sees the end of its pipe and exits, so a restart never finds two on one inbox."""
    with vendors() as mocks:
        harness, _ = start(mocks, tmp_path)
        assert harness.proc is not None
        left = list(descendants(harness.proc.pid))
        assert worker_processes(harness)
        try:
            harness.proc.kill()
            harness.proc.wait(10)
            wait_until(
                lambda: not any(os.path.exists(f"/proc/{pid}") for pid in left),
                timeout=10,
                message="no process left behind",
            )
        finally:
            harness.kill()


def test_workers_stay_in_the_web_process_when_asked(tmp_path: Path) -> None:
    with vendors() as mocks:
        harness, secret = start(mocks, tmp_path, HARNESS_WORKER_PROCESS="0")
        try:
            assert worker_processes(harness) == []
            forward_one(mocks, harness, secret)
        finally:
            harness.kill(signal.SIGTERM)
