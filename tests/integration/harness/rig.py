"""The one harness test rig: the real harness wired to the project's real SoPost and Poplar
mocks, all over loopback HTTP.

``vendors`` starts a SoPost mock (manual clock, fast lifecycle) and a Poplar mock, each with
its typed control client from ``contracts.client``. ``harness_rig`` adds the harness
(in-process ``create_app`` on a ``LiveServer``), subscribes it through SoPost's
``POST /v1/webhooks`` and hands it the subscription's ``whsec_`` secret. Tests drive SoPost
through its control API (orders, clock, delivery faults, redelivery), break either vendor
with request fault rules, and judge by the mocks' own records: Poplar's store and journal,
SoPost's delivery log and journal. Nothing sleeps for async work: ``wait_settled`` polls with
a deadline.

With the manual clock, an order created through ``/_mock/orders`` announces PENDING at once;
``advance(FILTERING)`` makes SoPost decide it (APPROVED/REJECTED) and each further
``advance(STAGE)`` moves it one distribution stage (PROCESSING, DISPATCHED, DELIVERED).
"""

from __future__ import annotations

import dataclasses
import json
import math
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import requests
from standardwebhooks.webhooks import Webhook

from contracts.client import PoplarControl, SoPostControl
from contracts.servers import DEFAULT_POPLAR_TOKEN
from harness.app import create_app as create_harness
from harness.config import HarnessConfig
from harness.service import HarnessService
from mocks.core.config import RuntimeConfig
from mocks.core.server import LiveServer
from mocks.poplar.app import PoplarConfig
from mocks.poplar.app import create_app as create_poplar
from mocks.sopost.app import SoPostConfig
from mocks.sopost.app import create_app as create_sopost
from mocks.sopost.state import LifecycleConfig
from tests.support import wait_until

__all__ = [
    "FILTERING",
    "STAGE",
    "Rig",
    "Vendors",
    "assert_forwarded_once",
    "event_for",
    "harness_rig",
    "signed_headers",
    "vendors",
]

FILTERING = 0.2  # mock seconds from PENDING to the filtering decision
STAGE = 0.3  # mock seconds between distribution stages
FINAL_STATES = ("done", "skipped", "dead")


def signed_headers(body: bytes, secret: str, at: float | None = None) -> dict[str, str]:
    """Standard Webhooks headers for ``body``, as SoPost's dispatcher sends them."""
    msg_id = "msg_" + secrets.token_hex(8)
    when = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, when, body.decode()),
    }


@dataclasses.dataclass
class Vendors:
    """Both mocks, their control clients and the default organisation's API credentials."""

    sopost: SoPostControl
    poplar: PoplarControl
    auth: tuple[str, str]
    organisation: str

    def submits(self, order_id: str | None = None) -> list[dict[str, Any]]:
        """Poplar's journal of ``POST /v1/order`` (optionally for one order id), oldest first."""
        return [
            e
            for e in self.poplar.requests(method="POST", path="/v1/order")
            if e["path"] == "/v1/order"
            and (order_id is None or (e["body"] or {}).get("order_id") == order_id)
        ]

    def limit_poplar(self, times: int) -> int:
        """Poplar answers the next ``times`` submits 429 with an ``x-rate-limit-reset`` of
        whole epoch seconds 1-2 s ahead, as its limiter does; returns that reset."""
        reset = math.ceil(time.time()) + 1
        self.poplar.add_fault(
            method="POST",
            path="/v1/order",
            status=429,
            times=times,
            headers={"x-rate-limit-reset": str(reset)},
        )
        return reset

    def reads(self, order_id: str) -> list[dict[str, Any]]:
        """SoPost's journal of ``GET /v1/orders/{order_id}``, oldest first."""
        return self.sopost.requests(method="GET", path=f"/v1/orders/{order_id}")

    def stored(self) -> list[str]:
        """The ``order_id`` of every order Poplar stored, in arrival order."""
        return [order["order_id"] for order in self.poplar.orders()]


@contextmanager
def vendors(poplar_config: PoplarConfig | None = None) -> Iterator[Vendors]:
    """SoPost (manual clock, fast lifecycle) and Poplar mocks on free loopback ports."""
    # Seeded orders are live; without them (the guide's two stay put) every webhook the
    # harness gets is for an order its test made.
    sopost_config = SoPostConfig(
        runtime=RuntimeConfig(clock="manual"),
        lifecycle=LifecycleConfig(filtering_delay=FILTERING, stage_delays=(STAGE,) * 3),
        fixture_orders=0,
    )
    with (
        LiveServer(create_sopost(sopost_config)) as sopost_server,
        LiveServer(create_poplar(poplar_config or PoplarConfig())) as poplar_server,
    ):
        sopost, poplar = SoPostControl(sopost_server.url), PoplarControl(poplar_server.url)
        try:
            organisation = sopost.default_organisation()
            auth = (organisation["api_user"], organisation["api_password"])
            yield Vendors(sopost, poplar, auth, organisation["id"])
        finally:
            sopost.close()
            poplar.close()


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
class Rig(Vendors):
    """The vendors plus a subscribed harness (``url``) and its service and HTTP session."""

    url: str = ""
    secret: str = ""
    service: HarnessService = None  # type: ignore[assignment]
    http: requests.Session = dataclasses.field(default_factory=requests.Session)

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.sopost.advance_clock(seconds)

    def stock_partitions(self) -> list[str]:
        """Stock partitions of the default activity of ``/_mock/orders``."""
        organisation = self.sopost.default_organisation()
        return organisation["campaigns"][0]["activities"][0]["stock_partition_ids"]

    def pending_order(self, **overrides: Any) -> dict[str, Any]:
        """An approved-to-be, consented order whose PENDING webhook the harness has skipped."""
        order = self.sopost.create_order(outcome="APPROVED", **overrides)
        self.wait_settled(order["id"], 1)
        return order

    def approve(self, order: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Let SoPost approve the order; return the harness's row for the APPROVED event."""
        self.advance(FILTERING)
        rows = self.wait_settled(order["id"], 2, timeout=timeout)
        assert rows[1]["event"] == "APPROVED"
        return rows[1]

    def send(self, event: dict[str, Any], secret: str | None = None) -> requests.Response:
        """Deliver ``event`` to the harness as SoPost would, signed with ``secret`` (default:
        the subscription's; ``""`` sends it unsigned)."""
        body = json.dumps(event).encode()
        return self.post_webhook(body, self.sign(body, secret))

    def sign(self, body: bytes, secret: str | None = None, at: float | None = None) -> dict:
        secret = self.secret if secret is None else secret
        if not secret:
            return {"content-type": "application/json"}
        return signed_headers(body, secret, at)

    def post_webhook(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        return self.http.post(f"{self.url}/webhooks/sopost", data=body, headers=headers, timeout=5)

    def status(self) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/status", timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def dead_letters(self) -> list[dict[str, Any]]:
        return self.http.get(f"{self.url}/dead-letters", timeout=5).json()["dead_letters"]

    def event(self, event_id: str) -> dict[str, Any] | None:
        return self.service.store.event(event_id)  # type: ignore[attr-defined]

    def wait_state(self, event_id: str, state: str) -> dict[str, Any]:
        """Wait until the harness took the event to ``state``; return its inbox row."""
        return wait_until(
            lambda: (row := self.event(event_id)) and row["state"] == state and row,
            message=f"event {event_id} {state}",
        )

    def events(self, order_id: str) -> list[dict[str, Any]]:
        """The harness's inbox rows for every event SoPost emitted for the order, by receipt."""
        ids = dict.fromkeys(d["event_id"] for d in self.sopost.deliveries(order_id))
        rows = [row for row in map(self.event, ids) if row is not None]
        return sorted(rows, key=lambda row: row["received_at"])

    def wait_settled(
        self, order_id: str, events: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until SoPost delivered every webhook of the order (2xx) and the harness took
        each of its ``events`` distinct events to a final state; return the inbox rows."""

        def settled() -> list[dict[str, Any]] | None:
            deliveries = self.sopost.deliveries(order_id)
            if any(d["status"] != "succeeded" for d in deliveries):
                return None
            rows = self.events(order_id)
            if len(rows) != events or any(r["state"] not in FINAL_STATES for r in rows):
                return None
            return rows

        return wait_until(
            settled, timeout=timeout, message=f"{events} events of order {order_id} settled"
        )


def assert_forwarded_once(rig: Rig, order_id: str) -> None:
    """Poplar stored the order once, from one accepted submit, and the harness counts it."""
    assert rig.stored() == [order_id]
    # A dropped request is journaled with verdict "fault": count stored submits only.
    stored = [s for s in rig.submits(order_id) if (s["verdict"], s["status"]) == ("valid", 200)]
    assert len(stored) == 1
    status = rig.status()
    assert status["forwarded"] == 1
    assert status["dead_letters"] == 0


def event_for(order: dict[str, Any], status: str = "APPROVED") -> dict[str, str]:
    """An OrderEvent for ``order`` with a fresh ``event_id``, as SoPost's webhook carries."""
    return {
        "event_id": secrets.token_hex(20),
        "event": status,
        "order_id": order["id"],
        "activity_id": order["activity_id"],
    }


@contextmanager
def harness_rig(
    db: str, poplar_config: PoplarConfig | None = None, **harness_overrides: Any
) -> Iterator[Rig]:
    """Both mocks and a subscribed harness storing in ``db``; everything stopped on exit.

    ``harness_overrides`` replace :class:`HarnessConfig` fields."""
    late = _LateApp()
    with vendors(poplar_config) as mocks, LiveServer(late) as front:
        subscription = mocks.sopost.subscribe(
            f"{front.url}/webhooks/sopost", mocks.auth, mocks.organisation
        )
        config = HarnessConfig(
            sopost_api_url=f"{mocks.sopost.url}/v1",
            sopost_api_user=mocks.auth[0],
            sopost_api_password=mocks.auth[1],
            sopost_webhook_secret=subscription.secret,
            poplar_api_url=f"{mocks.poplar.url}/v1",
            poplar_api_token=DEFAULT_POPLAR_TOKEN,
            db_path=db,
            workers=4,
            backoff_base=0.05,
            backoff_cap=0.5,
            poll_interval=0.05,
            http_timeout=5.0,
        )
        app = create_harness(dataclasses.replace(config, **harness_overrides))
        late.app = app
        service: HarnessService = app.extensions["harness"]
        rig = Rig(**vars(mocks), url=front.url, secret=subscription.secret, service=service)
        try:
            yield rig
        finally:
            service.stop()
            rig.http.close()
