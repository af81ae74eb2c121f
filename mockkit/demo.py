"""`make demo`: watch SoPost orders become webhooks, harness decisions and Poplar orders.

Everything runs in this process on free loopback ports (see :mod:`mockkit.demo_stack`). The
dashboard URLs come first, so a person can follow along in the browser. Four consumers order
samples and only the one who is approved and opted in to the brand's (SoPost's) marketing
reaches Poplar; an order with custom questions carries its answers to Poplar; a webhook
delivered twice changes nothing; Poplar rate-limits and the order still arrives exactly once.
A table closes the story. ``--keep-running`` leaves everything up to explore.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from mockkit.demo_stack import Stack
from mockkit.demo_story import CONSUMERS, QUIZZED, Consumer
from mockkit.demo_view import Feed, summary_table
from mockkit.ui.flow import flow_rows

__all__ = ["main"]


def settled(status: dict[str, Any], events: int) -> bool:
    """The harness has handled at least ``events`` events and has nothing in flight."""
    inbox = status["inbox"]
    handled = inbox["done"] + inbox["skipped"] + inbox["dead"]
    return handled >= events and inbox["received"] == inbox["processing"] == 0


class Demo:
    def __init__(self, console: Console, stack: Stack) -> None:
        self.console = console
        self.stack = stack
        self.sopost, self.poplar = stack.mocks.sopost, stack.mocks.poplar
        self.feed = Feed(console, stack.sources)
        self.orders: dict[str, Consumer] = {}
        self.surprises = 0

    def say(self, text: str) -> None:
        self.console.print(f"[bold cyan]{text}[/]")

    def line(self, text: str) -> None:
        self.console.print(f"   {text}")

    def dashboards(self) -> None:
        for label, url in self.stack.dashboards():
            self.line(f"{label:<10} {url}")

    def explore(self) -> None:
        """Leave everything up; print the events of any order made meanwhile (in the browser)."""
        self.say("Still running, Ctrl-C to stop:")
        self.dashboards()
        self.feed.follow_everything()
        while True:
            self.feed.poll()
            time.sleep(0.5)

    def check(self, right: bool) -> str:
        self.surprises += not right
        return "[green]ok[/]" if right else "[bold red]UNEXPECTED[/]"

    def order(self, consumer: Consumer) -> dict[str, Any]:
        order = self.sopost.create_order(**consumer.fields)
        self.orders[order["id"]] = consumer
        self.feed.follow(order["id"], consumer.name)
        return order

    def in_poplar(self, order_id: str) -> list[dict[str, Any]]:
        return [o for o in self.poplar.orders() if o["order_id"] == order_id]

    def story(self) -> None:
        self.say("1. Open these to watch it in the browser (the flow view first)")
        self.dashboards()
        self.say("2. Four consumers order a sample")
        for consumer in CONSUMERS:
            order = self.order(consumer)
            self.line(f"{consumer.label:<52} order {order['id'][:8]}… PENDING")
        self.say("3. Each webhook as SoPost sends it, and what the harness decided")
        self.feed.watch(
            lambda: settled(self.stack.harness_status(), events=len(CONSUMERS) * 2),
            "waiting for the harness to decide",
        )
        self.outcomes()
        self.questions()
        self.duplicate()
        self.rate_limited()
        self.console.print(summary_table(self.summary()))

    def outcomes(self) -> None:
        self.say("4. What reached Poplar")
        status = self.stack.harness_status()
        self.line(
            f"forwarded: {status['forwarded']}   skipped by reason: {status['skipped_by_reason']}",
        )
        stored = {o["order_id"]: o for o in self.poplar.orders()}
        for order_id, consumer in self.orders.items():
            arrived = order_id in stored
            where = "in Poplar" if arrived else "not sent"
            mark = self.check(arrived == consumer.reaches_poplar)
            self.line(f"{consumer.label:<52} {where:<10} {mark}")
        for order_id, poplar_order in stored.items():
            email = self.orders[order_id].fields["email"]
            hashed = poplar_order["customer"]["email_sha256"]
            matches = hashed == hashlib.sha256(email.strip().lower().encode()).hexdigest()
            self.surprises += not matches
            self.line(
                f"in Poplar: email_sha256 {hashed[:16]}… = sha256 of "
                f"'{email.lower()}' (lower-cased): {matches}; postal_code "
                f"{poplar_order['shipping_address']['postal_code']}",
            )

    def questions(self) -> None:
        self.say("5. Faye answers two custom questions; the answers travel as Poplar metadata")
        order = self.order(QUIZZED)
        arrived = self.feed.watch(lambda: self.in_poplar(order["id"]), "waiting for Faye's order")
        metadata = arrived[0].get("metadata") or {}
        wanted = {"skin-type": "Dry; Sensitive", "heard-from": "A friend"}
        got = {key: metadata.get(key) for key in wanted}
        self.line(f"Poplar metadata {got} {self.check(got == wanted)}")

    def duplicate(self) -> None:
        self.say("6. SoPost delivers Ada's APPROVED webhook again: the harness changes nothing")
        ada = next(i for i, c in self.orders.items() if c is CONSUMERS[0])
        approved = next(
            d
            for d in self.sopost.deliveries(order_id=ada)
            if d["event"] == "APPROVED" and d["url"].startswith(self.stack.harness.url)
        )

        # That event's own record: the other orders' stage webhooks still arrive meanwhile, so
        # the inbox as a whole may well change (a comparison of it failed on a loaded machine).
        def record() -> list[dict[str, Any]]:
            events = self.stack.harness_events(ada)
            return [e for e in events if e["event_id"] == approved["event_id"]]

        before = record()
        again = self.sopost.redeliver(approved["id"])
        answered = self.feed.watch(
            lambda: [
                d
                for d in self.sopost.deliveries(order_id=ada)
                if d["id"] == again["id"] and d["status"] == "succeeded"
            ],
            "waiting for the redelivery",
        )[0]
        unchanged = len(before) == 1 and record() == before
        copies = len(self.in_poplar(ada))
        self.line(
            f"redelivery {again['id']} (same event_id) answered "
            f"{answered['attempts'][-1]['status']}; the harness's record of the event unchanged: "
            f"{unchanged}; Ada's order in Poplar {copies} time(s) "
            f"{self.check(unchanged and copies == 1)}",
        )

    def rate_limited(self) -> None:
        self.say("7. Poplar rate-limits the next two submits (429); the harness waits and retries")
        reset = int(time.time()) + 2
        self.poplar.add_fault(
            method="POST",
            path="/v1/order",
            status=429,
            times=2,
            headers={"x-rate-limit-reset": str(reset)},
        )
        late = self.order(
            Consumer(
                "Erin (approved, during a 429)",
                {"email": "erin@example.com", "full_name": "Erin Moss", "outcome": "APPROVED"},
                True,
            )
        )
        arrived = self.feed.watch(lambda: self.in_poplar(late["id"]), "waiting out the 429s")
        rejected = self.poplar.requests(status=429)
        self.line(
            f"{len(rejected)} submits got 429, then Erin's order arrived "
            f"{len(arrived)} time(s) {self.check(len(arrived) == 1)}",
        )

    def summary(self) -> list[tuple[str, Any, bool]]:
        rows = {row.order_id: row for row in flow_rows(self.stack.sources.snapshot())}
        out = []
        for order_id, consumer in self.orders.items():
            row = rows.get(order_id)
            right = row is not None and (row.poplar.text == "stored") == consumer.reaches_poplar
            out.append((consumer.name, row, right))
        return out


def run(keep_running: bool) -> None:
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 120  # a pipe has no width; keep the closing table on one line per row
    with tempfile.TemporaryDirectory() as scratch:
        console.print(
            "[bold cyan]Starting the SoPost and Poplar mocks, the reference harness "
            "and the flow view[/]"
        )
        stack = Stack(Path(scratch))
        try:
            demo = Demo(console, stack)
            try:
                demo.story()
            except TimeoutError as exc:
                raise click.ClickException(f"{exc}; please report this") from None
            if demo.surprises:
                raise click.ClickException(f"{demo.surprises} outcome(s) differ from the expected")
            console.print(
                "[bold green]Done. Every step above is what `mockkit verify` checks for any "
                "integration.[/]"
            )
            if keep_running:
                demo.explore()
        except KeyboardInterrupt:
            pass
        finally:
            stack.stop()


@click.command()
@click.option(
    "--keep-running", is_flag=True, help="Leave the mocks, harness and pages up afterwards."
)
def main(keep_running: bool) -> None:
    """Run the end-to-end demo (about 15 s); its dashboards are printed first."""
    run(keep_running)


if __name__ == "__main__":
    sys.exit(main())
