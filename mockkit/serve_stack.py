"""What `mockkit serve` starts besides the mocks, and what it prints once everything answers.

The reference harness is subscribed to the default organisation's order events before it
starts, so it receives them from the first order on; the banner lists every service, the
SoPost credentials of the seed's organisations and how to reach Poplar's accounts. Both read
the organisations from the running SoPost mock (``/_mock/organisations``), the one source of
them, so the CLI never builds a world of its own.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import click

from mockkit.apps import DEMO_POPLAR_TOKEN
from mockkit.serve import Service, Supervisor, http_client, reachable

__all__ = ["harness_service", "print_banner"]


def harness_service(
    host: str, sopost: Service, poplar: Service, port: int, poplar_token: str, database: Path
) -> Service:
    """The reference harness, subscribed to the default organisation's order events.

    Its webhook secret (the subscription's) and its admin token are fresh every run, whatever
    the seed; ``HARNESS_ADMIN_TOKEN`` in the environment fixes the token (scripts, benches).
    """
    local = reachable(host)
    default = next(o for o in organisations(sopost.url(local)) if o["default"])
    user, password = default["api_user"], default["api_password"]
    subscription = http_client().post(
        f"{sopost.url(local)}/v1/webhooks",
        auth=(user, password),
        timeout=10,
        json={
            "url": f"http://{local}:{port}/webhooks/sopost",
            "events": ["OrderEvent"],
            "entity_type": "Organisation",
            "entity_id": default["id"],
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
        sopost = next(s for s in supervisor.services if s.name == "SoPost mock")
        for organisation in organisations(sopost.url(reachable(supervisor.host))):
            click.echo(
                f"  {organisation['name']:<18} {organisation['id']}  "
                f"{organisation['api_user']}:{organisation['api_password']}"
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


def organisations(sopost_url: str) -> list[dict[str, Any]]:
    """The running SoPost mock's organisations, with their API credentials."""
    answer = http_client().get(f"{sopost_url}/_mock/organisations", timeout=10)
    answer.raise_for_status()
    return answer.json()["organisations"]
