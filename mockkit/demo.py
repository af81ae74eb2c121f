"""`make demo`: watch SoPost order events flow through the reference harness into Poplar.

Everything runs in this process on free loopback ports: both mocks, the harness, and a small
receiver that prints every webhook as SoPost sends it. Four consumers order samples; only the
one who is approved and opted in to the brand's (SoPost's) marketing reaches Poplar. Then
Poplar starts rate limiting and the order still arrives exactly once.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import requests

from contracts.runner import harness_extras
from contracts.servers import MockPair
from harness.app import create_app as create_harness
from harness.config import HarnessConfig
from mockkit.apps import DEMO_POPLAR_TOKEN
from mocks.core.receiver import WebhookReceiver
from mocks.core.server import LiveServer, free_port
from mocks.sopost.fixtures import RETAILER

__all__ = ["main"]

# (who, the order's overrides, whether it should reach Poplar)
CONSUMERS: list[tuple[str, dict[str, Any], bool]] = [
    (
        "Ada (approved, opted in to SoPost marketing)",
        {"email": "Ada.Lovelace@Example.com", "full_name": "Ada Lovelace", "outcome": "APPROVED"},
        True,
    ),
    (
        "Brian (approved, no marketing consent)",
        {
            "email": "brian@example.com",
            "full_name": "Brian Cox",
            "outcome": "APPROVED",
            "consents": [],
        },
        False,
    ),
    (
        "Chloe (rejected by SoPost's filtering)",
        {"email": "chloe+reject@example.com", "full_name": "Chloe Ng"},
        False,
    ),
    (
        f"Dev (approved, consent to {RETAILER} only)",
        {
            "email": "dev@example.com",
            "full_name": "Dev Patel",
            "outcome": "APPROVED",
            "consents": [{"data_handler": RETAILER}],
        },
        False,
    ),
]


def say(text: str, colour: str = "cyan") -> None:
    click.echo(click.style(text, fg=colour, bold=colour == "cyan"))


def wait_for(probe: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise click.ClickException("the demo timed out waiting; please report this")


def settled(status: dict[str, Any], events: int) -> bool:
    """The harness has handled at least ``events`` events and has nothing in flight."""
    inbox = status["inbox"]
    handled = inbox["done"] + inbox["skipped"] + inbox["dead"]
    return handled >= events and inbox["received"] == inbox["processing"] == 0


class Stack:
    """Both mocks (fast schedules), the harness and a printing webhook receiver."""

    def __init__(self, scratch: Path) -> None:
        self.mocks = MockPair().start()
        self.watcher = WebhookReceiver().start()
        self.subscription = self.mocks.subscribe(self.watcher.url)
        port = free_port()
        secret = self.mocks.subscribe(f"http://127.0.0.1:{port}/webhooks/sopost").secret
        # The harness gets exactly what `mockkit verify` hands any integration.
        env = {
            **self.mocks.env(port, secret, DEMO_POPLAR_TOKEN),
            **harness_extras(scratch, "SoPost"),
        }
        self.harness_app = create_harness(HarnessConfig.from_env(env))
        self.harness = LiveServer(self.harness_app, port=port).start()

    def harness_status(self) -> dict[str, Any]:
        return requests.get(f"{self.harness.url}/status", timeout=5).json()

    def stop(self) -> None:
        self.harness_app.extensions["harness"].stop()
        for server in (self.harness, self.watcher):
            server.stop()
        self.mocks.stop()


def run(keep: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        say("1. Starting the SoPost mock, the Poplar mock and the reference harness")
        stack = Stack(Path(scratch))
        try:
            sopost, poplar = stack.mocks.sopost, stack.mocks.poplar
            click.echo(
                f"   SoPost  {sopost.url}   Poplar  {poplar.url}   harness  {stack.harness.url}"
            )
            say("2. Subscribing a watcher and the harness to the organisation's OrderEvents")
            click.echo(f"   POST /v1/webhooks -> 201, secret {stack.subscription.secret[:14]}…")
            say("3. Four consumers order a sample")
            orders, emails = {}, {}
            for label, fields, expected in CONSUMERS:
                order = sopost.create_order(**fields)
                orders[order["id"]] = (label, expected)
                emails[order["id"]] = order["email"]
                click.echo(f"   {label:<52} order {order['id'][:8]}… {order['status']}")
            say("4. Webhooks as SoPost sends them (the watcher prints each one)")
            seen = 0
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and seen < 8:
                events = stack.watcher.events()
                for event in events[seen:]:
                    label = orders.get(event["order_id"], ("?",))[0].split(" (")[0]
                    click.echo(
                        f"   {event['event']:<10} {label:<6} event_id {event['event_id'][:12]}…"
                    )
                seen = len(events)
                time.sleep(0.05)
            say("5. What the harness decided and what reached Poplar")
            wait_for(lambda: settled(stack.harness_status(), events=len(orders) * 2))
            status = stack.harness_status()
            click.echo(
                f"   forwarded: {status['forwarded']}   skipped by reason: "
                f"{status['skipped_by_reason']}"
            )
            in_poplar = {o["order_id"]: o for o in poplar.orders()}
            surprises = 0
            for order_id, (label, expected) in orders.items():
                arrived = order_id in in_poplar
                surprises += arrived != expected
                mark = click.style(
                    "ok" if arrived == expected else "UNEXPECTED",
                    fg="green" if arrived == expected else "red",
                )
                click.echo(f"   {label:<52} {'in Poplar' if arrived else 'not sent':<10} {mark}")
            for poplar_order in in_poplar.values():
                email = emails[poplar_order["order_id"]]
                hashed = poplar_order["customer"]["email_sha256"]
                matches = hashed == hashlib.sha256(email.strip().lower().encode()).hexdigest()
                surprises += not matches
                click.echo(
                    f"   in Poplar: email_sha256 {hashed[:16]}… = sha256 of "
                    f"'{email.lower()}' (lower-cased): {matches}; postal_code "
                    f"{poplar_order['shipping_address']['postal_code']}"
                )
            say("6. Poplar rate-limits the next two submits (429); the harness waits and retries")
            reset = int(time.time()) + 2
            poplar.add_fault(
                method="POST",
                path="/v1/order",
                status=429,
                times=2,
                headers={"x-rate-limit-reset": str(reset)},
            )
            late = sopost.create_order(
                email="erin@example.com", full_name="Erin Moss", outcome="APPROVED"
            )
            arrived = wait_for(
                lambda: [o for o in poplar.orders() if o["order_id"] == late["id"]], timeout=30
            )
            rejected = poplar.requests(status=429)
            click.echo(
                f"   {len(rejected)} submits got 429, then Erin's order arrived "
                f"{len(arrived)} time(s)"
            )
            surprises += len(arrived) != 1
            if surprises:
                raise click.ClickException(f"{surprises} outcome(s) differ from the expected")
            say(
                "Done. Every step above is what `mockkit verify` checks for any integration.",
                "green",
            )
            if keep:
                click.echo(
                    f"Poplar Transactions page: {poplar.url}/transactions"
                    f"?token={DEMO_POPLAR_TOKEN}  (Ctrl-C to stop)"
                )
                while True:
                    time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            stack.stop()


@click.command()
@click.option("--keep", is_flag=True, help="Keep everything running afterwards to explore.")
def main(keep: bool) -> None:
    """Run the end-to-end demo."""
    run(keep)


if __name__ == "__main__":
    sys.exit(main())
