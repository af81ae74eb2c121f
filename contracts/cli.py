"""``mockkit verify``: prove a SoPost -> Poplar integration against the mocks.

Exit codes: 0 no MUST scenario failed, 1 one did, 2 usage or start-up error, 130 interrupted
(Ctrl-C or SIGTERM; the integration and the mocks are stopped, no report is written).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from contracts.process import terminate_as_interrupt
from contracts.runner import StartupError, VerifyOptions, run_verify
from contracts.scenarios import SCENARIOS

__all__ = ["verify"]

# The shell's code for a command ended by Ctrl-C (128 + SIGINT), for SIGTERM too: the run ended
# before its verdict.
INTERRUPTED = 130


def _scenario_list() -> str:
    return "; ".join(f"{s.number}:{s.id} ({s.severity})" for s in SCENARIOS)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--exec",
    "exec_command",
    metavar="CMD",
    help="Shell command that starts the integration (gets PORT, SOPOST_*, POPLAR_*).",
)
@click.option(
    "--webhook-url",
    metavar="URL",
    help="Webhook URL of an integration that is already running (mocks on 8080/8081).",
)
@click.option(
    "--webhook-path",
    default="/webhooks/sopost",
    show_default=True,
    help="With --exec: the path the integration receives SoPost webhooks on.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="ID",
    help="Run only this scenario (id or number; repeatable). Default: all.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Run seed: replays a run's order ids, event ids and generated orders "
    "(default: a fresh one, printed in the banner and the reports).",
)
@click.option(
    "--timeout",
    default=20.0,
    show_default=True,
    help="Seconds a scenario waits for the integration to act.",
)
@click.option(
    "--settle",
    default=1.0,
    show_default=True,
    help="Seconds to keep watching after the integration answered every delivery.",
)
@click.option(
    "--junit",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a JUnit XML report here.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON report here (format: see the README).",
)
@click.option(
    "--data-handler",
    default="SoPost",
    show_default=True,
    help="The data handler whose consent opts a consumer in for the brand.",
)
@click.option(
    "--sopost-port", type=int, help="SoPost mock port (default: free, or 8080 with --webhook-url)."
)
@click.option(
    "--poplar-port", type=int, help="Poplar mock port (default: free, or 8081 with --webhook-url)."
)
@click.option(
    "--strict",
    is_flag=True,
    help="Rules of the vendors' APIs that are only assumed are enforced (the mocks answer the "
    "vendor's 400) and any X-Mockkit-Warning fails its scenario; by default they are listed.",
)
@click.option(
    "--startup-timeout",
    default=30.0,
    show_default=True,
    help="Seconds to wait for the integration's PORT to accept connections.",
)
def verify(
    exec_command: str | None,
    webhook_url: str | None,
    webhook_path: str,
    scenarios: tuple[str, ...],
    seed: int | None,
    timeout: float,
    settle: float,
    junit: Path | None,
    json_path: Path | None,
    data_handler: str,
    sopost_port: int | None,
    poplar_port: int | None,
    startup_timeout: float,
    strict: bool,
) -> None:
    """Run the consumer scenarios against an integration and judge what reached Poplar."""
    if bool(exec_command) == bool(webhook_url):
        _usage("give exactly one of --exec CMD or --webhook-url URL")
    if not webhook_path.startswith("/"):
        _usage("--webhook-path must start with '/'")
    options = VerifyOptions(
        exec_command=exec_command,
        webhook_url=webhook_url,
        webhook_path=webhook_path,
        scenarios=scenarios,
        seed=seed,
        timeout=timeout,
        settle=settle,
        data_handler=data_handler,
        sopost_port=sopost_port,
        poplar_port=poplar_port,
        startup_timeout=startup_timeout,
        strict=strict,
    )
    try:
        with terminate_as_interrupt():
            report = run_verify(options, echo=lambda line: click.echo(line, err=True))
    except KeyboardInterrupt:
        click.echo("mockkit verify: interrupted; the integration and mocks are stopped", err=True)
        sys.exit(INTERRUPTED)
    except KeyError as exc:
        _usage(str(exc.args[0]))
    except (StartupError, OSError) as exc:
        click.echo(f"mockkit verify: cannot start: {exc}", err=True)
        sys.exit(2)
    click.echo(report.terminal())
    if junit:
        report.write_junit(junit)
    if json_path:
        report.write_json(json_path)
    sys.exit(report.exit_code)


def _usage(message: str) -> None:
    click.echo(f"mockkit verify: {message}\nScenarios: {_scenario_list()}", err=True)
    sys.exit(2)
