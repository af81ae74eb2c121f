"""The `mockkit` command line: serve the mocks (and harness), verify integrations, check specs."""

from __future__ import annotations

import importlib
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click

from mockkit.apps import DEMO_POPLAR_TOKEN, POPLAR_ENV, SOPOST_ENV
from mockkit.serve import Service, Supervisor, options_env
from mockkit.serve_stack import harness_service, print_banner
from mockkit.ui.service import ui_service
from mocks.core.config import RuntimeConfig
from mocks.poplar.config import PoplarConfig
from mocks.poplar.ratelimit import parse_rate_limit
from mocks.sopost.config import LifecycleConfig, SoPostConfig

__all__ = ["main", "serve"]


class LazyGroup(click.Group):
    """A group whose ``lazy`` subcommands are imported only when run (click's documented
    pattern): ``mockkit serve`` then never imports verify's hypothesis and schemathesis,
    which were 0.6 s of its start."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy  # name -> "module:attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy:
            return super().get_command(ctx, name)
        module, attribute = self.lazy[name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(
    cls=LazyGroup,
    lazy={
        "assumptions": "mockkit.assumptions:assumptions",
        "contracts": "contracts.provider_cli:contracts",
        "demo": "mockkit.demo:main",
        "verify": "contracts.cli:verify",
    },
    context_settings={"help_option_names": ["-h", "--help"]},
)
def main() -> None:
    """Offline, faithful mocks of the SoPost and Poplar APIs, and a contract test kit."""


def _rate_limit(_: click.Context, __: click.Parameter, value: str) -> str:
    try:
        parse_rate_limit(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _seconds_list(_: click.Context, __: click.Parameter, value: str) -> list[float]:
    try:
        return [float(part) for part in value.split(",")]
    except ValueError:
        raise click.BadParameter("use comma-separated seconds, e.g. 10,30,60") from None


def _sopost_figure(flag: str, default: float, help: str) -> Callable[[Callable], Callable]:
    """A SoPost number whose default is its config's."""
    return click.option(flag, default=default, show_default=True, help=f"SoPost: {help}")


def _bound(flag: str, default: int, help: str) -> Callable[[Callable], Callable]:
    """A positive limit whose default is its config's."""
    return click.option(
        flag, default=default, show_default=True, type=click.IntRange(min=1), help=help
    )


@main.command()
@click.option(
    "--only", type=click.Choice(["sopost", "poplar"]), help="Serve just this mock (no harness)."
)
@click.option(
    "--no-harness",
    is_flag=True,
    help="Serve both mocks but not the reference harness (bring your own integration).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind. Keep loopback unless you know why not.",
)
@click.option("--sopost-port", default=8080, show_default=True)
@click.option("--poplar-port", default=8081, show_default=True)
@click.option("--harness-port", default=8082, show_default=True)
@click.option(
    "--ui-port", default=8083, show_default=True, help="The flow view (a browser page); 0: none."
)
@click.option(
    "--seed", default=RuntimeConfig.seed, show_default=True, help="Same seed, same data and ids."
)
@click.option(
    "--clock",
    type=click.Choice(["real", "manual"]),
    default=RuntimeConfig.clock,
    show_default=True,
    help="manual: time moves only via POST /_mock/clock/advance.",
)
@click.option("--require-auth", is_flag=True, help="SoPost: refuse requests without credentials.")
@_sopost_figure(
    "--filtering-delay",
    LifecycleConfig.filtering_delay,
    "seconds an order stays PENDING before its decision.",
)
@_sopost_figure(
    "--review-delay",
    LifecycleConfig.review_delay,
    "seconds of manual review for orders sharing a postcode.",
)
@click.option(
    "--stage-delays",
    default=",".join(f"{delay:g}" for delay in LifecycleConfig.stage_delays),
    show_default=True,
    callback=_seconds_list,
    help="SoPost: seconds before PROCESSING, DISPATCHED, DELIVERED.",
)
@_sopost_figure(
    "--retry-scale",
    SoPostConfig.retry_scale,
    "multiply the webhook retry schedule (0.001 compresses hours to s).",
)
@_sopost_figure(
    "--webhook-timeout",
    SoPostConfig.webhook_timeout,
    "seconds a receiver has to answer a delivery before it is retried.",
)
@click.option(
    "--allow-webhook-host",
    multiple=True,
    help="SoPost: also deliver webhooks to this non-loopback host (repeatable).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Both mocks: reject (vendor's 400) what breaks an assumed rule instead of warning.",
)
@click.option("--strict-sopost", is_flag=True, help="SoPost only: as --strict.")
@click.option("--strict-poplar", is_flag=True, help="Poplar only: as --strict.")
@click.option("--tokens", default="", help="Poplar: accept only these tokens (comma-separated).")
@click.option(
    "--rate-limit",
    default=PoplarConfig.rate_limit,
    show_default=True,
    callback=_rate_limit,
    help="Poplar: requests per token per window, e.g. 100/10s.",
)
@click.option(
    "--harness-db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Harness inbox file (default: a fresh one per run, as the mocks are fresh).",
)
@click.option(
    "--allow-host",
    multiple=True,
    help="Also answer requests whose Host header is this name (repeatable); others get 421.",
)
@_bound(
    "--max-body",
    RuntimeConfig.max_body,
    "Mocks: largest request body in bytes; larger ones get 413.",
)
@_bound(
    "--max-accounts",
    PoplarConfig.max_accounts,
    "Poplar: accounts (tokens) kept; past this the least recently used is dropped.",
)
@click.option(
    "--client-timeout",
    default=RuntimeConfig.client_timeout,
    show_default=True,
    type=click.FloatRange(min=0.001, max=60),
    help="Seconds a client has to send its request head, and again its body (else 408).",
)
@click.option("--quiet", is_flag=True, help="Do not log one line per request.")
def serve(
    only: str | None,
    no_harness: bool,
    host: str,
    sopost_port: int,
    poplar_port: int,
    harness_port: int,
    ui_port: int,
    seed: int,
    clock: str,
    require_auth: bool,
    filtering_delay: float,
    review_delay: float,
    stage_delays: list[float],
    retry_scale: float,
    webhook_timeout: float,
    allow_webhook_host: tuple[str, ...],
    strict: bool,
    strict_sopost: bool,
    strict_poplar: bool,
    tokens: str,
    rate_limit: str,
    harness_db: Path | None,
    allow_host: tuple[str, ...],
    max_body: int,
    max_accounts: int,
    client_timeout: float,
    quiet: bool,
) -> None:
    """Serve the SoPost mock, the Poplar mock and the reference harness until Ctrl-C."""
    flow_url = f"http://127.0.0.1:{ui_port}/" if ui_port else None
    runtime = RuntimeConfig(
        seed=seed,
        clock=clock,
        log_requests=not quiet,
        host=host,
        host_aliases=allow_host,
        max_body=max_body,
        client_timeout=client_timeout,
        flow_url=flow_url,
    )
    sopost_config = SoPostConfig(
        runtime=replace(runtime, strict=strict or strict_sopost),
        lifecycle=LifecycleConfig(filtering_delay, review_delay, tuple(stage_delays)),
        require_auth=require_auth,
        retry_scale=retry_scale,
        webhook_timeout=webhook_timeout,
        allow_webhook_hosts=allow_webhook_host,
    )
    token_list = [t.strip() for t in tokens.split(",") if t.strip()]
    poplar_config = PoplarConfig(
        runtime=replace(runtime, strict=strict or strict_poplar),
        tokens=tuple(token_list) or None,
        rate_limit=rate_limit,
        max_accounts=max_accounts,
    )
    # Each config goes whole to its server process; mockkit.apps revives it there.
    sopost, poplar = (
        Service(name, port, target, "/_mock/health", options_env(variable, asdict(config)))
        for name, port, target, variable, config in (
            ("SoPost mock", sopost_port, "mockkit.apps:sopost_app", SOPOST_ENV, sopost_config),
            ("Poplar mock", poplar_port, "mockkit.apps:poplar_app", POPLAR_ENV, poplar_config),
        )
    )
    # The scratch directory (the harness's database) is removed after the supervisor has
    # stopped every server, not under a running harness.
    with (
        tempfile.TemporaryDirectory() as scratch,
        Supervisor(host, click.echo, client_timeout) as supervisor,
    ):
        try:
            if only != "poplar":
                supervisor.start(sopost)
            if only != "sopost":
                supervisor.start(poplar)
            if only is None and not no_harness:
                poplar_token = token_list[0] if token_list else DEMO_POPLAR_TOKEN
                database = harness_db or Path(scratch) / "harness.db"
                harness = harness_service(
                    supervisor.host, sopost, poplar, harness_port, poplar_token, database
                )
                harness.env["HARNESS_FLOW_URL"] = flow_url or ""
                harness.env["HARNESS_CLIENT_TIMEOUT"] = str(client_timeout)
                supervisor.start(harness)
            if ui_port:
                supervisor.start(
                    ui_service(
                        supervisor.host, ui_port, supervisor.services, supervisor.client_timeout
                    )
                )
            print_banner(supervisor, seed, clock, require_auth)
            # Inside the try: a stop signal between the banner and the wait is a clean stop.
            code = supervisor.wait()
        except RuntimeError as exc:
            click.echo(f"error: {exc}", err=True)
            code = 2
        except KeyboardInterrupt:
            code = 0
    sys.exit(code)
