"""The demo's terminal view: one line per order event, coloured by the harness's decision.

``rich`` renders colour and a spinner on a terminal and plain lines otherwise (a pipe, CI,
the test runner), so the same run reads well in both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from mockkit.ui.flow import FlowRow, decision
from mockkit.ui.sources import Sources

__all__ = ["STYLE", "Feed", "summary_table"]

STYLE = {"ok": "green", "warn": "yellow", "bad": "red", "info": "cyan", "": "dim"}


class Feed:
    """Prints each SoPost order event once the harness has settled it."""

    def __init__(self, console: Console, sources: Sources) -> None:
        self.console = console
        self.sources = sources
        self.names: dict[str, str] = {}  # order id -> who, for the orders of the story
        self.printed: set[str] = set()
        self.everything = False

    def follow(self, order_id: str, name: str) -> None:
        self.names[order_id] = name

    def follow_everything(self) -> None:
        """From now on print every order's events (named by short id when not in the story)."""
        self.everything = True

    def poll(self) -> None:
        snap = self.sources.snapshot()
        deliveries = {d["event_id"]: d for d in snap.deliveries if not d.get("copy_of")}
        for event in sorted(snap.events, key=lambda e: e["updated_at"]):
            settled = event["state"] in ("done", "skipped", "dead")
            if not settled or event["event_id"] in self.printed:
                continue
            if event["order_id"] not in self.names:
                if not self.everything:
                    continue
                self.names[event["order_id"]] = event["order_id"][:6]
            self.printed.add(event["event_id"])
            self._line(event, deliveries.get(event["event_id"]))

    def _line(self, event: dict[str, Any], delivery: dict[str, Any] | None) -> None:
        verdict = decision([event])
        answer = "?"
        if delivery and delivery["attempts"]:
            last = delivery["attempts"][-1]
            answer = f"{last.get('status')} in {last.get('latency_ms', 0):.0f} ms"
        clock = time.strftime("%H:%M:%S", time.localtime(event["updated_at"]))
        self.console.print(
            f"   {clock}  {event['event']:<10} {self.names[event['order_id']]:<6} "
            f"webhook {answer:<12} harness: [{STYLE[verdict.tone]}]{verdict.text}[/]",
            highlight=False,
        )

    def watch(self, until: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
        """Print events while waiting for ``until()`` to return something truthy."""
        deadline = time.monotonic() + timeout
        with self.console.status(what):
            while time.monotonic() < deadline:
                self.poll()
                found = until()
                if found:
                    self.poll()
                    return found
                time.sleep(0.1)
        raise TimeoutError(f"the demo timed out: {what}")


def summary_table(rows: list[tuple[str, FlowRow | None, bool]]) -> Table:
    """Who, what SoPost decided, what the harness did, what reached Poplar, and was it right."""
    table = Table(title="What happened to each order", title_justify="left")
    for column in ("Consumer", "SoPost", "Webhooks", "Harness", "Poplar", "As expected"):
        table.add_column(column)
    for who, row, right in rows:
        if row is None:
            table.add_row(who, "?", "", "", "", "[red]no[/]")
            continue
        webhooks = sum(count for _, count, _, _ in row.webhooks)
        table.add_row(
            who,
            row.status,
            str(webhooks),
            f"[{STYLE[row.decision.tone]}]{row.decision.text}[/]",
            f"[{STYLE[row.poplar.tone]}]{row.poplar.text}[/]",
            "[green]yes[/]" if right else "[red]NO[/]",
        )
    return table
