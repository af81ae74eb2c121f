"""What `mockkit serve` starts besides the mocks, and what it prints once everything answers.

The reference harness is subscribed to the default organisation's order events before it
starts, so it receives them from the first order on; the banner lists every service, the
SoPost credentials of the seed's organisations and how to reach Poplar's accounts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
import requests

from mockkit.apps import DEMO_POPLAR_TOKEN
from mockkit.serve import Service, Supervisor
from mocks.sopost.fixtures import CREDENTIALS, GUIDE, build_world

__all__ = ["harness_service", "print_banner"]


def harness_service(
    host: str, sopost: Service, poplar: Service, port: int, poplar_token: str, database: Path
) -> Service:
    """The reference harness, subscribed to the default organisation's order events.

    Its webhook secret (the subscription's) and its admin token are fresh every run, whatever
    the seed; ``HARNESS_ADMIN_TOKEN`` in the environment fixes the token (scripts, benches).
    """
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    user, password = CREDENTIALS[GUIDE.organisation]
    subscription = requests.post(
        f"{sopost.url(local)}/v1/webhooks",
        auth=(user, password),
        timeout=10,
        json={
            "url": f"http://{local}:{port}/webhooks/sopost",
            "events": ["OrderEvent"],
            "entity_type": "Organisation",
            "entity_id": GUIDE.organisation,
        },
    )
    subscription.raise_for_status()
    return Service(
        "Harness",
        port,
        "harness.app:create_server",
        "/health",
        {
            "SOPOST_API_URL": f"{sopost.url(local)}/v1",
            "SOPOST_API_USER": user,
            "SOPOST_API_PASSWORD": password,
            "SOPOST_WEBHOOK_SECRET": subscription.json()["secret"],
            "POPLAR_API_URL": f"{poplar.url(local)}/v1",
            "POPLAR_API_TOKEN": poplar_token,
            "HARNESS_ADMIN_TOKEN": os.environ.get("HARNESS_ADMIN_TOKEN")
            or secrets.token_urlsafe(24),
            "HARNESS_DB": str(database),
            "HARNESS_HOST": host,
            "PORT": str(port),
        },
    )


def print_banner(supervisor: Supervisor, seed: int, clock: str, require_auth: bool) -> None:
    running = {service.name: service.url(supervisor.host) for service in supervisor.services}
    for name, url in running.items():
        click.echo(
            f"{name:<12} {url}" + ("  (control API: /_mock)" if name.endswith("mock") else "")
        )
    click.echo(
        f"seed {seed}, clock {clock}"
        + (
            ", credentials required"
            if require_auth
            else ", no credentials = the default organisation"
        )
    )
    if "SoPost mock" in running:
        click.echo("SoPost API credentials (HTTP Basic user:password):")
        for organisation in build_world(seed, 0).catalogue.organisations.values():
            click.echo(
                f"  {organisation.name:<18} {organisation.id}  "
                f"{organisation.api_user}:{organisation.api_password}"
            )
    if "Poplar mock" in running:
        click.echo(
            "Poplar: any bearer token not starting with 'test' is a production account"
            f" (the harness uses '{DEMO_POPLAR_TOKEN}')."
        )
        click.echo(f"Poplar Transactions page: {running['Poplar mock']}/transactions")
    harness = next((s for s in supervisor.services if s.name == "Harness"), None)
    if harness is not None:
        click.echo(
            f"Harness admin token (fresh each run): {harness.env['HARNESS_ADMIN_TOKEN']}"
            "  (Authorization: Bearer ..., or type it into /status)"
        )
        click.echo(
            f"Harness webhook secret (fresh each run): {harness.env['SOPOST_WEBHOOK_SECRET']}"
        )
    pages = {"SoPost mock": "/_mock/ui  (API reference: /_mock/docs)", "Harness": "/status"}
    for name, path in pages.items():
        if name in running:
            click.echo(f"{name + ' page':<16} {running[name]}{path}")
    click.echo("Press Ctrl-C to stop.")
