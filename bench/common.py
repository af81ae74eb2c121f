"""What every benchmark shares: tools on first use, servers, wrk, repeats, result files.

Load only ever goes to 127.0.0.1, every run is bounded in count and time, and every run records
``os.getloadavg()`` first: other work on the machine (tests, other agents) adds noise, so each
measurement is repeated and reported as best and median.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LOGS = RESULTS / "logs"
PRISM = BENCH / "node_modules" / ".bin" / "prism"
PYTHON = sys.executable
HOST = "127.0.0.1"

GUIDE_ORDER = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
SOPOST_USER = "8d5e3f0a-1c2b-4a6d-9e7f-0a1b2c3d4e5f"
SOPOST_PASSWORD = "c0ffee00-aaaa-4bbb-8ccc-123456789abc"

WRK_INSTALL_HINT = "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu); skipping"


class Skip(Exception):
    """A benchmark cannot run here (e.g. wrk missing); the runner reports and moves on."""


# -- tools ---------------------------------------------------------------------------------
def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise Skip(WRK_INSTALL_HINT)
    return path


def ensure_prism() -> Path:
    """Stoplight Prism 5 in bench/node_modules (pinned by bench/package.json)."""
    if not PRISM.exists():
        if shutil.which("npm") is None:
            raise Skip("npm is not installed (`apt-get install nodejs npm`); Prism is needed")
        print("installing Stoplight Prism 5 into bench/node_modules ...", flush=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(BENCH), "--no-audit", "--no-fund"], check=True
        )
    return PRISM


def ensure_bench_extras() -> None:
    """The ``bench`` optional dependencies (waitress, gunicorn) in this interpreter."""
    try:
        import gunicorn  # noqa: F401
        import waitress  # noqa: F401
    except ImportError:
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "optional-dependencies"
        ]["bench"]
        print(f"installing bench extras: {' '.join(extras)}", flush=True)
        subprocess.run([PYTHON, "-m", "pip", "install", "-q", *extras], check=True)


def mockkit_command(*args: str) -> list[str]:
    return [PYTHON, "-c", "from mockkit.cli import main; main()", *args]


# -- machine and results -------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_mb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        memory_mb = int(first.split()[1]) // 1024
    wrk = shutil.which("wrk")
    wrk_version = None
    if wrk:
        out = subprocess.run([wrk, "--version"], capture_output=True, text=True)
        wrk_version = (
            (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else None
        )
    versions = {}
    for module in ("granian", "flask", "waitress", "gunicorn"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[module] = version(module)
    node = shutil.which("node")
    if node:
        versions["node"] = subprocess.run(
            [node, "--version"], capture_output=True, text=True
        ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_mb": memory_mb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "wrk": wrk_version,
        "versions": versions,
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "date": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


def prism_ratios(results: dict[str, dict[str, Any]]) -> tuple[float, float]:
    """mockkit's median throughput over Prism's: with default logging, and with -v error."""
    mockkit = results["mockkit (--quiet)"]["rps"]["median"]
    return (
        mockkit / results["prism (default logging)"]["rps"]["median"],
        mockkit / results["prism (-v error)"]["rps"]["median"],
    )


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def summarise(
    runs: list[dict[str, Any]], higher: tuple[str, ...] = (), lower: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Best and median of each named figure over repeated runs."""
    summary: dict[str, Any] = {"runs": len(runs)}
    for key in higher + lower:
        values = [run[key] for run in runs if run.get(key) is not None]
        if not values:
            continue
        best = max(values) if key in higher else min(values)
        summary[key] = {"best": round(best, 3), "median": round(statistics.median(values), 3)}
    return summary


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(ms: list[float]) -> dict[str, float]:
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3) if ms else float("nan"),
        "mean_ms": round(statistics.fmean(ms), 3) if ms else float("nan"),
    }


# -- servers -------------------------------------------------------------------------------


@contextlib.contextmanager
def server(
    name: str,
    command: list[str],
    ready_url: str,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    ready: Callable[[requests.Response], bool] | None = None,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` in its own process group until the block ends; output goes to a log.

    Ready when ``ready_url`` answers (any status, unless ``ready`` says otherwise). Stopped
    with SIGTERM (``mockkit serve`` then stops its own children), SIGKILL to the group after
    15 s.
    """
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}); see {log_path}")
                try:
                    response = requests.get(ready_url, timeout=2)
                    if ready is None or ready(response):
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not ready within {timeout:.0f} s; see {log_path}")
                time.sleep(0.2)
            yield process
        finally:
            _stop(process)
            _wait_port_free(ready_url)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Anything left in the group (a server's forked worker) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _wait_port_free(url: str, timeout: float = 10.0) -> None:
    """Until nothing answers on ``url``'s port: the next server must not meet a leftover."""
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((parts.hostname or HOST, parts.port or 80)) != 0:
                return
        time.sleep(0.1)


# -- wrk -----------------------------------------------------------------------------------
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str,
    *,
    threads: int = 2,
    connections: int = 32,
    duration: int = 5,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: int = 5,
) -> dict[str, Any]:
    """One wrk run: requests/s, latency percentiles, non-2xx and socket errors."""
    command = [
        require_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout_s}s",
        "--latency",
    ]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    before = loadavg()
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr or out.stdout}")
    parsed = parse_wrk(out.stdout)
    if "p99_ms" not in parsed:
        parsed["wrk_output"] = out.stdout  # keep what could not be parsed, to look at
    return {"loadavg_before": before, **parsed}


def parse_wrk(text: str) -> dict[str, Any]:
    result: dict[str, Any] = {"non_2xx": 0, "socket_errors": 0}
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", text, re.M))
    for key, value in percentiles.items():
        result[f"p{key}_ms"] = round(_ms(value), 3)
    match = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    if match:
        result["mean_ms"] = round(_ms(match.group(1)), 3)
        result["max_ms"] = round(_ms(match.group(3)), 3)
    match = re.search(r"(\d+) requests in ([\d.]+)(\w+),", text)
    if match:
        result["requests"] = int(match.group(1))
        result["seconds"] = round(_ms(match.group(2) + match.group(3)) / 1000, 3)
    match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    result["rps"] = float(match.group(1)) if match else 0.0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if match:
        result["non_2xx"] = int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if match:
        result["socket_errors"] = sum(int(g) for g in match.groups())
    return result


def warm_and_run(label: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """A 1 s warm-up (connections, caches, Prism's JIT), then one measured wrk run."""
    wrk(url, **{**kwargs, "duration": 1})
    result = wrk(url, **kwargs)
    print(
        f"  {label}: {result['rps']:.0f} req/s, p99 {result.get('p99_ms')} ms, "
        f"non-2xx {result['non_2xx']}, errors {result['socket_errors']}, "
        f"load {result['loadavg_before'][0]}",
        flush=True,
    )
    return result


def interleaved(
    contenders: dict[str, Callable[[], contextlib.AbstractContextManager]],
    rounds: int,
    measure: Callable[[str, int], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """``rounds`` rounds; in each, every contender is started fresh and measured once.

    Interleaving spreads the machine's drifting background load over all contenders alike,
    instead of favouring whichever ran while the machine was quiet.
    """
    samples: dict[str, list[dict[str, Any]]] = {label: [] for label in contenders}
    for number in range(rounds):
        print(f"round {number + 1}/{rounds}", flush=True)
        for label, start in contenders.items():
            with start():
                samples[label].append(measure(label, number))
    return {
        label: {
            "label": label,
            "samples": found,
            **summarise(found, higher=("rps",), lower=("p50_ms", "p99_ms")),
        }
        for label, found in samples.items()
    }
