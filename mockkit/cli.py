"""The `mockkit` command line: serve the mocks (and harness), verify integrations, check specs."""

from __future__ import annotations

import sys

import click

from mockkit.apps import SOPOST_ENV
from mockkit.serve import Service, Supervisor, options_env
from mocks.sopost.fixtures import build_world

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Offline, faithful mocks of the SoPost and Poplar APIs, and a contract test kit."""


@main.command()
@click.option("--only", type=click.Choice(["sopost"]), help="Serve just this service.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. Keep loopback unless you know why not.")
@click.option("--sopost-port", default=8080, show_default=True)
@click.option("--seed", default=0, show_default=True, help="Same seed, same data and ids.")
@click.option("--clock", type=click.Choice(["real", "manual"]), default="real",
              show_default=True, help="manual: time moves only via POST /_mock/clock/advance.")
@click.option("--require-auth", is_flag=True, help="SoPost: refuse requests without credentials.")
@click.option("--filtering-delay", default=2.0, show_default=True,
              help="SoPost: seconds an order stays PENDING before its decision.")
@click.option("--review-delay", default=30.0, show_default=True,
              help="SoPost: seconds of manual review for orders sharing a postcode.")
@click.option("--stage-delays", default="10,30,60", show_default=True,
              help="SoPost: seconds before PROCESSING, DISPATCHED, DELIVERED.")
@click.option("--retry-scale", default=1.0, show_default=True,
              help="SoPost: multiply the webhook retry schedule (0.001 compresses hours to s).")
@click.option("--allow-webhook-host", multiple=True,
              help="SoPost: also deliver webhooks to this non-loopback host (repeatable).")
@click.option("--quiet", is_flag=True, help="Do not log one line per request.")
def serve(only: str | None, host: str, sopost_port: int, seed: int, clock: str,
          require_auth: bool, filtering_delay: float, review_delay: float, stage_delays: str,
          retry_scale: float, allow_webhook_host: tuple[str, ...], quiet: bool) -> None:
    """Serve the mocks on loopback until Ctrl-C."""
    try:
        delays = [float(part) for part in stage_delays.split(",")]
    except ValueError:
        raise click.BadParameter("use comma-separated seconds, e.g. 10,30,60",
                                 param_hint="--stage-delays") from None
    sopost_options = {"seed": seed, "clock": clock, "quiet": quiet, "require_auth": require_auth,
                      "filtering_delay": filtering_delay, "review_delay": review_delay,
                      "stage_delays": delays, "retry_scale": retry_scale,
                      "allow_webhook_hosts": list(allow_webhook_host)}
    with Supervisor(host, click.echo) as supervisor:
        try:
            if only in (None, "sopost"):
                supervisor.start(Service("SoPost mock", sopost_port, "mockkit.apps:sopost_app",
                                         "/_mock/health", options_env(SOPOST_ENV, sopost_options)))
            _banner(supervisor, seed, clock, require_auth)
        except RuntimeError as exc:
            click.echo(f"error: {exc}", err=True)
            code = 2
        except KeyboardInterrupt:
            code = 0
        else:
            code = supervisor.wait()
    sys.exit(code)


def _banner(supervisor: Supervisor, seed: int, clock: str, require_auth: bool) -> None:
    for service in supervisor.services:
        click.echo(f"{service.name:<14} {service.url(supervisor.host)}  "
                   f"(control API: {service.url(supervisor.host)}/_mock)")
    click.echo(f"seed {seed}, clock {clock}"
               + (", credentials required" if require_auth else
                  ", no credentials = the default organisation"))
    click.echo("SoPost API credentials (HTTP Basic user:password):")
    for organisation in build_world(seed, 0).catalogue.organisations.values():
        click.echo(f"  {organisation.name:<18} {organisation.id}  "
                   f"{organisation.api_user}:{organisation.api_password}")
    click.echo("Press Ctrl-C to stop.")
