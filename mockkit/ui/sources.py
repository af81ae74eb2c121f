"""Reading the three services over HTTP: one snapshot per refresh, short timeouts, no crash.

A service that is down (or not started, as with ``--only``) leaves its part of the snapshot
empty and is named in ``down``, so the page says so instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from contracts.client import PoplarControl, SoPostControl

__all__ = ["Snapshot", "Sources", "UiConfig"]

TIMEOUT = 2.0


@dataclass(frozen=True)
class UiConfig:
    """Where the services are; ``None`` for one that is not running."""

    sopost_url: str | None
    poplar_url: str | None
    harness_url: str | None = None
    harness_token: str | None = None
    # Host names the page answers to besides the bound one (DNS-rebinding guard).
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost")

    def links(self) -> list[tuple[str, str]]:
        """The dashboards of every running service, for the navigation bar."""
        links = [("Flow view", "/")]
        if self.sopost_url:
            links.append(("SoPost", f"{self.sopost_url}/_mock/ui"))
        if self.harness_url:
            links.append(("Harness", f"{self.harness_url}/status"))
        if self.poplar_url:
            links.append(("Poplar", f"{self.poplar_url}/transactions"))
        if self.sopost_url:
            links.append(("API docs", f"{self.sopost_url}/_mock/docs"))
        return links


@dataclass
class Snapshot:
    orders: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    poplar_orders: list[dict[str, Any]] = field(default_factory=list)
    down: list[str] = field(default_factory=list)


class Sources:
    def __init__(self, config: UiConfig) -> None:
        self.config = config
        self.sopost = SoPostControl(config.sopost_url, TIMEOUT) if config.sopost_url else None
        self.poplar = PoplarControl(config.poplar_url, TIMEOUT) if config.poplar_url else None
        self.harness = requests.Session()
        if config.harness_token:
            self.harness.headers["Authorization"] = f"Bearer {config.harness_token}"

    def snapshot(self, order_id: str | None = None) -> Snapshot:
        """Everything the page shows (only one order's deliveries and events when given)."""
        snap = Snapshot()
        if self.sopost is not None:
            try:
                snap.orders = self.sopost.orders()
                snap.deliveries = self.sopost.deliveries(order_id=order_id)
            except (requests.RequestException, RuntimeError):
                snap.down.append(f"SoPost ({self.config.sopost_url})")
        if self.config.harness_url:
            try:
                query = {"limit": 1000, **({"order_id": order_id} if order_id else {})}
                response = self.harness.get(
                    f"{self.config.harness_url}/events", params=query, timeout=TIMEOUT
                )
                response.raise_for_status()
                snap.events = response.json()["events"]
            except (requests.RequestException, ValueError, KeyError):
                snap.down.append(f"harness ({self.config.harness_url})")
        if self.poplar is not None:
            try:
                snap.poplar_orders = self.poplar.orders()
            except (requests.RequestException, RuntimeError):
                snap.down.append(f"Poplar ({self.config.poplar_url})")
        return snap
