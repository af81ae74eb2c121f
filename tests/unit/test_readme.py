"""The README states what the code does: the Assumptions table it links is the specs' own, and
every shell command in it runs as printed.

The commands are read from the README's ```bash blocks and run through ``bash -c`` in a copy
of the tracked files (no build artefacts, no state files, no harness.db) whose ``.venv`` is
this one, with the virtualenv *not* on ``PATH``: exactly what a new user who ran ``make`` and
then pasted the command gets. ``mockkit serve`` commands run until they print their banner
(the curls run against the first one) and are then stopped. Only the ports change, and only
when 8080-8083 are taken by something else on this machine.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockkit.assumptions import README_MARKERS, assumption_rows, assumptions_table
from mocks.core.server import free_port
from tests.support import wait_until

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ASSUMPTIONS = ROOT / "docs" / "assumptions.md"  # the README links it
DEFAULT_PORTS = (8080, 8081, 8082, 8083)  # SoPost, Poplar, the harness, the flow view
# Commands that cannot run here, and why. Everything else in a ```bash block must.
NOT_HERE = {
    "make test": "it is the suite this test is part of",
    "SOPOST_API_URL=https://": "needs the real vendors' credentials (nothing leaves loopback)",
}
SERVER = ".venv/bin/mockkit serve"


def readme_commands(text: str) -> list[str]:
    """Each command of the ```bash blocks, continuation lines and multi-line quotes joined."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        pending = ""
        for line in block.splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending = f"{pending}\n{line}" if pending else line
            if pending.endswith("\\") or not _complete(pending):
                continue
            commands.append(pending)
            pending = ""
    return commands


def _complete(command: str) -> bool:
    """No quote left open (comments, apostrophes and all, read the way a POSIX shell does)."""
    try:
        shlex.split(command, comments=True)
    except ValueError:
        return False
    return True


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Iterator[Path]:
    """The tracked files as they are now, plus this virtualenv."""
    target = tmp_path_factory.mktemp("fresh-checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, (t.decode() for t in tracked)):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    venv = Path(sys.executable).parents[1]
    (target / ".venv").symlink_to(venv)
    # The shared virtualenv is installed already (make test installs first). Were the copy's
    # pyproject.toml newer than its stamp, `make` would pip-install the copy into it and
    # repoint the developer's editable install at this temporary directory.
    stamp = venv / ".installed"
    if stamp.exists():
        os.utime(target / "pyproject.toml", (stamp.stat().st_mtime - 1,) * 2)
    script = venv / "bin" / "mockkit"
    before = script.read_bytes() if script.exists() else None
    yield target
    assert (script.read_bytes() if script.exists() else None) == before, (
        "the README's commands reinstalled the developer's virtualenv"
    )


def _environment() -> dict[str, str]:
    """The user's shell: the virtualenv not activated."""
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    return env


def _ports(command: str, ports: dict[int, int]) -> str:
    for default, port in ports.items():
        command = command.replace(f"localhost:{default}", f"localhost:{port}")
    if command.startswith(SERVER) and any(d != p for d, p in ports.items()):
        flags = ["--sopost-port", "--poplar-port", "--harness-port", "--ui-port"]
        command = _append(
            command,
            "".join(f" {flag} {ports[d]}" for flag, d in zip(flags, DEFAULT_PORTS, strict=True)),
        )
    return command


def _append(command: str, extra: str) -> str:
    """``command`` with ``extra`` arguments, before its trailing ``  # comment`` if any."""
    head, sep, comment = command.rpartition("  #")
    return f"{head}{extra}{sep}{comment}" if sep else command + extra


class Server:
    """A `mockkit serve` command in the background, ready once it prints its banner."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str]) -> None:
        self.log = cwd / f"serve-{time.monotonic_ns()}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"], cwd=cwd, env=env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 60
        while "Press Ctrl-C" not in self.log.read_text():
            assert self.process.poll() is None, f"{command!r} exited: {self.log.read_text()}"
            assert time.monotonic() < deadline, f"{command!r} never got ready"
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(20) == 0, self.log.read_text()


def test_the_readme_has_commands_to_run() -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert any(c.startswith(SERVER) for c in commands)
    assert any("mockkit verify --exec" in c for c in commands)
    assert sum(c.startswith("curl") for c in commands) >= 2


def test_every_readme_command_runs_verbatim_on_a_fresh_checkout(checkout) -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    ports = {p: p if _free(p) else free_port() for p in DEFAULT_PORTS}
    env = _environment()
    runnable = [c for c in commands if not any(c.startswith(skip) for skip in NOT_HERE)]
    servers = [c for c in runnable if c.startswith(SERVER)]
    curls = [c for c in runnable if c.startswith("curl")]
    for index, command in enumerate(servers):
        server = Server(_ports(command, ports), checkout, env)
        try:
            if index == 0 and curls:  # the banner can come before every server listens
                wait_until(lambda: not any(_free(ports[p]) for p in (8080, 8081)), 30, 0.1)
            for curl in curls if index == 0 else []:  # against the full stack, the first one
                done = subprocess.run(
                    ["bash", "-c", _append(_ports(curl, ports), " --fail --silent --show-error")],
                    cwd=checkout,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=30,
                )
                assert done.returncode == 0, (curl, done.stderr)
        finally:
            server.stop()
    for command in (c for c in runnable if c not in servers and c not in curls):
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])


def test_the_assumptions_table_is_generated_from_the_specs() -> None:
    text = ASSUMPTIONS.read_text(encoding="utf-8")
    start, end = README_MARKERS
    section = text[text.index(start) + len(start) : text.index(end)].strip()
    assert section == assumptions_table(), "run: mockkit assumptions, paste it into " + str(
        ASSUMPTIONS.relative_to(ROOT)
    )


def test_every_assumed_status_name_is_listed() -> None:
    items = {item for _, item, _ in assumption_rows()}
    assert {
        "OrderStatus = PROCESSING",
        "OrderStatus = DISPATCHED",
        "OrderStatus = DELIVERED",
        "Webhook retries",
        "Rate limit",
        "Error",
    } <= items


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
