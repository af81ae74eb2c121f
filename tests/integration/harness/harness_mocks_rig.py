"""The real harness wired to the project's real SoPost and Poplar mocks, all over loopback HTTP.

``Rig`` starts a SoPost mock (manual clock, fast lifecycle), a Poplar mock, and the harness
(in-process ``create_app`` on a ``LiveServer``), subscribes the harness through SoPost's
``POST /v1/webhooks`` and hands the subscription's ``whsec_`` secret to the harness. Tests
drive SoPost through its control API (orders, clock, delivery faults, redelivery), break
Poplar or SoPost with request faults, and assert exactly-once through Poplar's own
``/_mock/orders`` and request journal. Nothing sleeps for async work: ``wait_settled`` polls
with a deadline.

With the manual clock, an order created through ``/_mock/orders`` announces PENDING at once;
``advance(FILTERING)`` makes SoPost decide it (APPROVED/REJECTED) and each further
``advance(STAGE)`` moves it one distribution stage (PROCESSING, DISPATCHED, DELIVERED).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from harness.app import create_app as create_harness
from harness.config import HarnessConfig
from harness.service import HarnessService
from mocks.core.runtime import RuntimeConfig
from mocks.core.server import LiveServer
from mocks.poplar.app import PoplarConfig
from mocks.poplar.app import create_app as create_poplar
from mocks.sopost.app import SoPostConfig
from mocks.sopost.app import create_app as create_sopost
from mocks.sopost.fixtures import CREDENTIALS, GUIDE
from mocks.sopost.state import LifecycleConfig
from tests.support import wait_until

POPLAR_TOKEN = "prod_harness_mocks_token"
FILTERING = 0.2  # mock seconds from PENDING to the filtering decision
STAGE = 0.3  # mock seconds between distribution stages
FINAL_STATES = ("done", "skipped", "dead")


class _LateApp:
    """A WSGI app whose target is set after its server is listening.

    The harness needs the subscription's secret, the subscription needs the harness URL: the
    server binds first (no free-port race), the harness app is plugged in afterwards.
    """

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.app(environ, start_response)


@dataclasses.dataclass
class Rig:
    sopost: str
    poplar: str
    harness: str
    secret: str
    service: HarnessService
    http: requests.Session

    # -- SoPost control ------------------------------------------------------------------
    def create_order(self, **overrides: Any) -> dict[str, Any]:
        response = self.http.post(f"{self.sopost}/_mock/orders", json=overrides, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def advance(self, seconds: float) -> dict[str, Any]:
        response = self.http.post(
            f"{self.sopost}/_mock/clock/advance", json={"seconds": seconds}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def fault(self, vendor: str, **rule: Any) -> dict[str, Any]:
        """Add a fault rule to ``vendor`` ("sopost" or "poplar"); returns the rule."""
        base = self.sopost if vendor == "sopost" else self.poplar
        response = self.http.post(f"{base}/_mock/faults", json=rule, timeout=5)
        assert response.status_code == 201, response.text
        return response.json()

    def remove_fault(self, vendor: str, fault_id: str) -> None:
        base = self.sopost if vendor == "sopost" else self.poplar
        response = self.http.delete(f"{base}/_mock/faults/{fault_id}", timeout=5)
        assert response.status_code == 204, response.text

    def deliveries(self, order_id: str) -> list[dict[str, Any]]:
        response = self.http.get(
            f"{self.sopost}/_mock/deliveries", params={"order_id": order_id}, timeout=5
        )
        assert response.status_code == 200, response.text
        return response.json()["deliveries"]

    def redeliver(self, delivery_id: str) -> dict[str, Any]:
        response = self.http.post(
            f"{self.sopost}/_mock/deliveries/{delivery_id}/redeliver", timeout=5
        )
        assert response.status_code == 202, response.text
        return response.json()

    def stock_partitions(self) -> list[str]:
        """Stock partition ids of the default organisation's first activity (the default
        activity of ``/_mock/orders``)."""
        response = self.http.get(f"{self.sopost}/_mock/organisations", timeout=5)
        assert response.status_code == 200, response.text
        default = next(o for o in response.json()["organisations"] if o["default"])
        return default["campaigns"][0]["activities"][0]["stock_partition_ids"]

    def sopost_requests(self, method: str, path: str) -> list[dict[str, Any]]:
        return _journal(self.http, self.sopost, method, path)

    # -- Poplar --------------------------------------------------------------------------
    def poplar_orders(self) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.poplar}/_mock/orders", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["orders"]

    def submits(self, order_id: str | None = None) -> list[dict[str, Any]]:
        """Poplar's journal of ``POST /v1/order`` (optionally for one order id), oldest first."""
        entries = _journal(self.http, self.poplar, "POST", "/v1/order")
        return [
            e
            for e in entries
            if e["path"] == "/v1/order"
            and (order_id is None or (e["body"] or {}).get("order_id") == order_id)
        ]

    # -- harness -------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        response = self.http.get(f"{self.harness}/status", timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def event(self, event_id: str) -> dict[str, Any] | None:
        return self.service.store.event(event_id)  # type: ignore[attr-defined]

    def events(self, order_id: str) -> list[dict[str, Any]]:
        """The harness's inbox rows for every event SoPost emitted for the order, by receipt."""
        ids = dict.fromkeys(d["event_id"] for d in self.deliveries(order_id))
        rows = [row for row in map(self.event, ids) if row is not None]
        return sorted(rows, key=lambda row: row["received_at"])

    def wait_settled(
        self, order_id: str, events: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until SoPost delivered every webhook of the order (2xx) and the harness took
        each of its ``events`` distinct events to a final state; return the inbox rows."""

        def settled() -> list[dict[str, Any]] | None:
            deliveries = self.deliveries(order_id)
            if any(d["status"] != "succeeded" for d in deliveries):
                return None
            rows = self.events(order_id)
            if len(rows) != events or any(r["state"] not in FINAL_STATES for r in rows):
                return None
            return rows

        return wait_until(
            settled, timeout=timeout, message=f"{events} events of order {order_id} settled"
        )


def _journal(http: requests.Session, base: str, method: str, path: str) -> list[dict[str, Any]]:
    response = http.get(
        f"{base}/_mock/requests", params={"method": method, "path": path}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()["requests"]


@contextmanager
def running_rig(
    tmp_path: Path, poplar_config: PoplarConfig | None = None, **harness_overrides: Any
) -> Iterator[Rig]:
    """SoPost + Poplar mocks and a subscribed harness; everything stopped on exit.

    ``harness_overrides`` replace :class:`HarnessConfig` fields."""
    sopost_config = SoPostConfig(
        runtime=RuntimeConfig(clock="manual"),
        lifecycle=LifecycleConfig(filtering_delay=FILTERING, stage_delays=(STAGE,) * 3),
    )
    late = _LateApp()
    with (
        LiveServer(create_sopost(sopost_config)) as sopost,
        LiveServer(create_poplar(poplar_config or PoplarConfig())) as poplar,
        LiveServer(late) as front,
        requests.Session() as http,
    ):
        subscription = http.post(
            f"{sopost.url}/v1/webhooks",
            timeout=5,
            json={
                "url": f"{front.url}/webhooks/sopost",
                "events": ["OrderEvent"],
                "entity_type": "Organisation",
                "entity_id": GUIDE.organisation,
            },
        )
        assert subscription.status_code == 201, subscription.text
        secret = subscription.json()["secret"]
        user, password = CREDENTIALS[GUIDE.organisation]
        config = HarnessConfig(
            sopost_api_url=f"{sopost.url}/v1",
            sopost_api_user=user,
            sopost_api_password=password,
            sopost_webhook_secret=secret,
            poplar_api_url=f"{poplar.url}/v1",
            poplar_api_token=POPLAR_TOKEN,
            db_path=str(tmp_path / "harness.db"),
            workers=4,
            backoff_base=0.05,
            backoff_cap=0.5,
            poll_interval=0.05,
            http_timeout=5.0,
        )
        app = create_harness(dataclasses.replace(config, **harness_overrides))
        late.app = app
        service: HarnessService = app.extensions["harness"]
        try:
            yield Rig(sopost.url, poplar.url, front.url, secret, service, http)
        finally:
            service.stop()
