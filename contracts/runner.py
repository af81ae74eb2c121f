"""``mockkit verify`` as a library: start the mocks and the integration, run the scenarios.

Order of events: mocks up -> subscribe the integration's webhook URL (so its secret is known)
-> start the command with the environment contract -> wait for its port -> scenarios, one
after another, faults cleared around each -> stop the command (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from contracts.context import Context, ScenarioFailed, ScenarioSkipped
from contracts.process import Integration, StartupError, port_open
from contracts.report import Report, Result
from contracts.scenarios import Scenario, select
from contracts.servers import DEFAULT_POPLAR_TOKEN, MockPair, free_port

__all__ = ["StartupError", "VerifyOptions", "harness_extras", "run_verify"]


@dataclass
class VerifyOptions:
    exec_command: str | None = None
    webhook_url: str | None = None
    webhook_path: str = "/webhooks/sopost"
    scenarios: tuple[str, ...] = ()
    seed: int = 0
    timeout: float = 20.0
    settle: float = 1.0
    data_handler: str = "SoPost"
    poplar_token: str = DEFAULT_POPLAR_TOKEN
    sopost_port: int | None = None  # default: free ports with --exec, 8080/8081 with a URL
    poplar_port: int | None = None
    startup_timeout: float = 30.0
    extra_env: dict[str, str] = field(default_factory=dict)


def harness_extras(scratch: Path, data_handler: str) -> dict[str, str]:
    """Extra variables for the reference harness (other integrations ignore them): a fresh
    inbox, short backoff, quick polling, the data handler the kit judges by."""
    return {
        "HARNESS_DB": str(scratch / "harness.db"),
        "HARNESS_BACKOFF_BASE": "0.05",
        "HARNESS_BACKOFF_CAP": "0.5",
        "HARNESS_POLL_INTERVAL": "0.05",
        "HARNESS_MAX_ATTEMPTS": "20",
        "HARNESS_DATA_HANDLERS": data_handler,
    }


def _run_one(item: Scenario, ctx: Context) -> Result:
    ctx.evidence = {}
    for client in (ctx.mocks.sopost, ctx.mocks.poplar):
        client.clear_faults()
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
    for client in (ctx.mocks.sopost, ctx.mocks.poplar):
        client.clear_faults()
    integration = ctx.integration
    if integration is not None and not integration.running():
        ctx.evidence["integration_exited"] = integration.tail()
        if status == "passed":
            status, message = "failed", "the integration exited during the scenario"
        integration.start()
    return Result(
        item.id,
        item.number,
        item.title,
        item.severity,
        status,
        time.monotonic() - started,
        message,
        dict(ctx.evidence),
    )


def run_verify(options: VerifyOptions, echo: Callable[[str], None] = print) -> Report:
    """Run the selected scenarios; raise StartupError (exit 2) when nothing could run."""
    if bool(options.exec_command) == bool(options.webhook_url):
        raise ValueError("give exactly one of --exec CMD or --webhook-url URL")
    chosen = select(options.scenarios)  # KeyError for unknown ids
    attached = options.webhook_url is not None
    default_ports = (8080, 8081) if attached else (0, 0)
    mocks = MockPair(
        options.sopost_port if options.sopost_port is not None else default_ports[0],
        options.poplar_port if options.poplar_port is not None else default_ports[1],
        seed=options.seed,
    )
    started = time.monotonic()
    with mocks, tempfile.TemporaryDirectory(prefix="mockkit-verify-") as scratch:
        # Attached: PORT is the one the integration already listens on (from its URL).
        port = (urlsplit(options.webhook_url).port or 80) if attached else free_port()
        url = options.webhook_url or f"http://127.0.0.1:{port}{options.webhook_path}"
        subscription = mocks.subscribe(url)
        env = mocks.env(port, subscription.secret, options.poplar_token)
        integration = None
        if attached:
            parts = urlsplit(url)
            echo("Integration environment (start yours with these):")
            for name in sorted(set(env) - set(os.environ)):
                echo(f"  {name}={env[name]}")
            if not port_open(parts.hostname or "127.0.0.1", parts.port or 80, 2.0):
                raise StartupError(f"nothing listens at {url}")
        else:
            env.update(harness_extras(Path(scratch), options.data_handler))
            env.update(options.extra_env)
            integration = Integration(options.exec_command or "", env, port)
            try:
                integration.start(options.startup_timeout)
            except StartupError as exc:
                tail = "\n".join("    " + line for line in integration.tail(20))
                raise StartupError(f"{exc}; its last output:\n{tail or '    (none)'}") from None
        ctx = Context(
            mocks,
            url,
            subscription.secret,
            options.data_handler,
            integration,
            settle=options.settle,
            timeout=options.timeout,
            run_tag=f"mk{uuid.uuid4().hex[:6]}",
        )
        ctx.memo["seed"] = options.seed
        results = []
        try:
            for item in chosen:
                result = _run_one(item, ctx)
                echo(
                    f"{result.status.upper():<7} {item.severity:<6} {item.number:>2} "
                    f"{item.id:<18} {result.duration_s:5.1f}s"
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
    if integration is not None and any(r.status in ("failed", "error") for r in results):
        info["last_output"] = integration.tail(30)
    return Report(results, time.monotonic() - started, info)
