"""`mockkit contracts provider`: does an API (our mock, or the real one) match our spec?"""

from __future__ import annotations

import sys

import click

from contracts.provider import ProviderReport, ProviderTarget, run_provider, write_junit

__all__ = ["contracts"]


@click.group()
def contracts() -> None:
    """Contract checks built on the OpenAPI specs."""


@contracts.command()
@click.option("--vendor", type=click.Choice(["sopost", "poplar"]), required=True)
@click.option(
    "--url",
    help="Base URL of a running API (default: our mock, in-process). "
    "SoPost: e.g. https://host/v1; Poplar: https://api.heypoplar.com (no /v1).",
)
@click.option("--token", help="Poplar: a bearer token. SoPost: USER:PASSWORD (HTTP Basic).")
@click.option(
    "--allow-writes",
    is_flag=True,
    help="With --url: also call creating/changing "
    "operations (order ids start mockkit-conformance-; what is created is deleted).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Check every constraint, assumed ones included (against a --strict mock in-process); "
    "by default only the enforced ones (docs/provenance.md).",
)
@click.option("--max-examples", default=25, show_default=True, help="Fuzzed cases per operation.")
@click.option("--junit", type=click.Path(dir_okay=False), help="Write a JUnit XML report here.")
def provider(
    vendor: str,
    url: str | None,
    token: str | None,
    allow_writes: bool,
    strict: bool,
    max_examples: int,
    junit: str | None,
) -> None:
    """Run schemathesis from openapi/VENDOR.yaml: status codes, bodies, content types and
    headers must match the spec, invalid requests must get a 4xx, nothing may answer 5xx."""
    if allow_writes and not url:
        raise click.UsageError("--allow-writes only applies with --url")
    target = ProviderTarget(vendor, url, token, allow_writes, max_examples, strict=strict)
    report = run_provider(target)
    _print(report)
    if junit:
        write_junit(report, junit)
    sys.exit(0 if report.ok else 1)


def _print(report: ProviderReport) -> None:
    click.echo(f"{report.vendor} spec against {report.target}")
    for operation in report.operations.values():
        if operation.failures:
            mark = click.style("FAIL", fg="red")
        elif operation.cases:
            mark = click.style("ok  ", fg="green")
        else:
            mark = click.style("skip", fg="yellow")
        click.echo(f"  {mark} {operation.label:<40} {operation.cases:>5} cases")
    for operation in report.operations.values():
        for failure in operation.failures:
            click.echo(
                f"\n{operation.label}: {failure['title']} ({failure['check']})\n"
                f"{failure['message']}\n  {failure['reproduce']}"
            )
    for error in report.errors:
        click.echo(click.style(f"error: {error}", fg="red"))
    if report.cleaned_up:
        click.echo(
            f"cleaned up: the {len(report.cleaned_up)} resource(s) this run created are deleted"
        )
    rate = report.cases / report.duration_s if report.duration_s else 0.0
    verdict = "conforms" if report.ok else f"{report.failures} failure(s)"
    click.echo(f"{report.cases} cases in {report.duration_s:.1f} s ({rate:.0f}/s): {verdict}")
