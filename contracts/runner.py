"""``mockkit verify`` as a library: start the mocks and the integration, run the scenarios.

Order of events: mocks up -> subscribe the integration's webhook URL (so its secret is known)
-> start the command with the environment contract -> wait for its port -> scenarios in
phases (:func:`contracts.scenarios.phases`: independent ones at the same time, each on its
own orders with its own faults; a restart alone; the whole-run judgement last) -> stop the
command (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts.context import Context, ScenarioFailed, ScenarioSkipped
from contracts.diagnose import diagnose, findings
from contracts.process import Integration, StartupError, port_open
from contracts.report import Report, Result
from contracts.scenarios import Scenario, phases, select
from contracts.servers import DEFAULT_POPLAR_TOKEN, MockPair, free_port

__all__ = ["StartupError", "VerifyOptions", "harness_extras", "run_verify"]


@dataclass
class VerifyOptions:
    exec_command: str | None = None
    webhook_url: str | None = None
    webhook_path: str = "/webhooks/sopost"
    scenarios: tuple[str, ...] = ()
    seed: int | None = None  # the run seed; None draws a fresh one
    timeout: float = 20.0
    settle: float = 1.0
    data_handler: str = "SoPost"
    poplar_token: str = DEFAULT_POPLAR_TOKEN
    sopost_port: int | None = None  # default: free ports with --exec, 8080/8081 with a URL
    poplar_port: int | None = None
    startup_timeout: float = 30.0
    strict: bool = False  # assumed vendor rules: the mocks reject, warnings fail scenarios
    extra_env: dict[str, str] = field(default_factory=dict)


def harness_extras(scratch: Path, data_handler: str) -> dict[str, str]:
    """Extra variables for the reference harness (other integrations ignore them): a fresh
    inbox, short backoff, quick polling, the data handler the kit judges by. Whatever the
    environment already sets wins (e.g. a persistent ``HARNESS_DB``)."""
    extras = {
        "HARNESS_DB": str(scratch / "harness.db"),
        "HARNESS_BACKOFF_BASE": "0.05",
        "HARNESS_BACKOFF_CAP": "0.5",
        "HARNESS_POLL_INTERVAL": "0.05",
        "HARNESS_MAX_ATTEMPTS": "20",
        "HARNESS_DATA_HANDLERS": data_handler,
    }
    return {name: value for name, value in extras.items() if name not in os.environ}


def _run_one(item: Scenario, ctx: Context, strict: bool = False) -> Result:
    started = time.monotonic()
    status, message = "passed", ""
    try:
        item.check(ctx)
    except ScenarioFailed as failure:
        status, message = "failed", str(failure)
    except ScenarioSkipped as skip:
        status, message = "skipped", str(skip)
    except Exception as exc:  # the kit or the mocks broke: say so, do not blame the integration
        status, message = "error", f"{type(exc).__name__}: {exc}"
        ctx.evidence["traceback"] = traceback.format_exc().splitlines()[-8:]
    ctx.remove_faults()
    warnings = _warnings(ctx)
    if warnings and strict and status == "passed":
        status = "failed"
        message = (
            f"{len(warnings)} request(s) broke a rule of the vendor's API that is only assumed "
            f"(--strict), e.g. {warnings[0]['request']}: {warnings[0]['finding']}"
        )
    diagnosis = []
    if status == "failed" and item.severity == "MUST":
        try:
            diagnosis = diagnose(ctx)
        except Exception as exc:  # a diagnosis must never hide the verdict
            ctx.evidence["diagnosis_error"] = f"{type(exc).__name__}: {exc}"
    return Result(
        item.id,
        item.number,
        item.title,
        item.severity,
        status,
        time.monotonic() - started,
        message,
        dict(ctx.evidence),
        diagnosis,
        warnings,
    )


def _warnings(ctx: Context) -> list[dict[str, Any]]:
    try:
        return findings(ctx)
    except Exception as exc:  # listing findings must never hide the verdict
        ctx.evidence["warnings_error"] = f"{type(exc).__name__}: {exc}"
        return []


def _run_phase(group: list[Scenario], base: Context, strict: bool) -> list[Result]:
    """Run a group of scenarios at the same time; the integration must survive them all."""
    contexts = [base.for_scenario(item.id, item.number) for item in group]
    with ThreadPoolExecutor(len(group)) as pool:
        results = list(pool.map(_run_one, group, contexts, [strict] * len(group)))
    integration = base.integration
    if integration is not None and not integration.running():
        for result in results:
            result.evidence["integration_exited"] = integration.tail()
            if result.status == "passed":
                result.status, result.message = "failed", "the integration exited meanwhile"
        integration.start()
    return results


def _start(integration: Integration, timeout: float) -> None:
    try:
        integration.start(timeout)
    except StartupError as exc:
        tail = "\n".join("    " + line for line in integration.tail(20))
        raise StartupError(f"{exc}; its last output:\n{tail or '    (none)'}") from None


def run_verify(options: VerifyOptions, echo: Callable[[str], None] = print) -> Report:
    """Run the selected scenarios; raise StartupError (exit 2) when nothing could run."""
    if bool(options.exec_command) == bool(options.webhook_url):
        raise ValueError("give exactly one of --exec CMD or --webhook-url URL")
    chosen = select(options.scenarios)  # KeyError for unknown ids
    attached = options.webhook_url is not None
    default_ports = (8080, 8081) if attached else (0, 0)
    seed = secrets.randbelow(10**9) if options.seed is None else options.seed
    mocks = MockPair(  # the fixtures of seed 0 in every run, the run's own ids
        options.sopost_port if options.sopost_port is not None else default_ports[0],
        options.poplar_port if options.poplar_port is not None else default_ports[1],
        id_seed=seed,
        strict=options.strict,
    )
    started = time.monotonic()
    with mocks, tempfile.TemporaryDirectory(prefix="mockkit-verify-") as scratch:
        # Attached: PORT is the one the integration already listens on (from its URL).
        port = (urlsplit(options.webhook_url).port or 80) if attached else free_port()
        url = options.webhook_url or f"http://127.0.0.1:{port}{options.webhook_path}"
        subscription = mocks.subscribe(url)
        env = mocks.env(port, subscription.secret, options.poplar_token, options.data_handler)
        base = Context(
            mocks,
            url,
            subscription.secret,
            options.data_handler,
            settle=options.settle,
            timeout=options.timeout,
            seed=seed,
        )
        echo(f"mockkit verify: run seed {seed} (replay this run with --seed {seed})")
        integration = None
        if attached:
            parts = urlsplit(url)
            echo("Integration environment (start yours with these):")
            for name in sorted(set(env) - set(os.environ)):
                echo(f"  {name}={env[name]}")
            if not port_open(parts.hostname or "127.0.0.1", parts.port or 80, 2.0):
                raise StartupError(f"nothing listens at {url}")
        for item in chosen:  # while the integration starts
            if item.prepare is not None:
                item.prepare(base)
        results = []
        try:  # from the moment it is launched: a Ctrl-C while it starts must stop it too
            if not attached:
                env.update(harness_extras(Path(scratch), options.data_handler))
                env.update(options.extra_env)
                integration = Integration(options.exec_command or "", env, port)
                base.integration = integration
                _start(integration, options.startup_timeout)
            for group in phases(chosen):
                for result in _run_phase(group, base, options.strict):
                    echo(
                        f"{result.status.upper():<7} {result.severity:<6} {result.number:>2} "
                        f"{result.id:<18} {result.duration_s:5.1f}s"
                    )
                    results.append(result)
        finally:
            if integration is not None:
                integration.stop()
    info = {
        "command": options.exec_command,
        "webhook_url": url,
        "starts": integration.starts if integration else 0,
    }
    results.sort(key=lambda r: (r.number, r.severity != "MUST", r.id))
    if integration is not None and any(r.status in ("failed", "error") for r in results):
        info["last_output"] = integration.tail(30)
    return Report(results, time.monotonic() - started, info, seed)
