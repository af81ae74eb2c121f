"""Everything ``make demo`` runs, in this process on free loopback ports: both mocks (fast
schedules), the reference harness subscribed to SoPost's order events, and the flow view."""

from __future__ import annotations

from pathlib import Path

import requests

from contracts.runner import harness_extras
from contracts.servers import MockPair
from harness.app import create_app as create_harness
from harness.config import HarnessConfig
from mockkit.apps import DEMO_POPLAR_TOKEN
from mockkit.ui.app import create_app as create_ui
from mockkit.ui.sources import Sources, UiConfig
from mocks.core.server import LiveServer, free_port

__all__ = ["Stack"]


class Stack:
    def __init__(self, scratch: Path, admin_token: str | None = None) -> None:
        self.admin_token = admin_token
        self.mocks = MockPair().start()
        port, ui_port = free_port(), free_port()
        self.subscription = self.mocks.subscribe(f"http://127.0.0.1:{port}/webhooks/sopost")
        # The harness gets exactly what `mockkit verify` hands any integration.
        env = {
            **self.mocks.env(port, self.subscription.secret, DEMO_POPLAR_TOKEN),
            **harness_extras(scratch, "SoPost"),
            "HARNESS_FLOW_URL": f"http://127.0.0.1:{ui_port}/",
            **({"HARNESS_ADMIN_TOKEN": admin_token} if admin_token else {}),
        }
        for server in (self.mocks.sopost_server, self.mocks.poplar_server):
            # The mocks' pages link to this flow view (the nav reads it per request).
            server.app.extensions["mockkit"].runtime.config.flow_url = env["HARNESS_FLOW_URL"]
        self.harness_app = create_harness(HarnessConfig.from_env(env))
        self.harness = LiveServer(self.harness_app, port=port).start()
        config = UiConfig(
            self.mocks.sopost_url, self.mocks.poplar_url, self.harness.url, admin_token
        )
        self.sources = Sources(config)
        self.ui = LiveServer(create_ui(config), port=ui_port).start()

    def dashboards(self) -> list[tuple[str, str]]:
        """What a person opens to watch: the flow view first."""
        sopost, poplar = self.mocks.sopost_url, self.mocks.poplar_url
        return [
            ("Flow view", f"{self.ui.url}/"),
            ("SoPost", f"{sopost}/_mock/ui"),
            ("Harness", f"{self.harness.url}/status"),
            ("Poplar", f"{poplar}/transactions?token={DEMO_POPLAR_TOKEN}"),
            ("API docs", f"{sopost}/_mock/docs  ·  {poplar}/_mock/docs"),
        ]

    def harness_status(self) -> dict:
        return self._harness_get("/status")

    def harness_events(self, order_id: str) -> list[dict]:
        """The harness's record of each event of ``order_id`` (state, attempts, updated_at)."""
        return self._harness_get(f"/events?order_id={order_id}")["events"]

    def _harness_get(self, path: str) -> dict:
        headers = {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}
        return requests.get(f"{self.harness.url}{path}", headers=headers, timeout=5).json()

    def stop(self) -> None:
        self.harness_app.extensions["harness"].stop()
        for server in (self.ui, self.harness):
            server.stop()
        self.mocks.stop()
