"""Typed clients for the mocks' control API (``openapi/control.yaml``), shared by verify and
the pytest plugin.

Each method is one control call: it raises :class:`ControlError` (with the mock's message)
when the mock refuses, so a test or a scenario fails with the reason instead of a KeyError.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

__all__ = [
    "ControlError",
    "MockClient",
    "PoplarControl",
    "SoPostControl",
    "Subscription",
    "WaitTimeout",
    "poll",
]

T = TypeVar("T")


class ControlError(RuntimeError):
    """A control call did not succeed; the message carries the mock's answer."""


class WaitTimeout(AssertionError):
    """A wait helper's condition never held; an AssertionError so pytest shows it as one."""


def poll(probe: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """``probe()`` until it returns something truthy; WaitTimeout after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"{what} did not happen within {timeout:g} s")
        time.sleep(interval)


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    secret: str


class MockClient:
    """What both mocks share: health, reset, journal, faults and clock."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        # One session per thread: verify's scenarios call the mocks from many threads at once.
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            self._sessions.append(session)
        return session

    def _call(self, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        response = self.session.request(method, self.url + path, timeout=self.timeout, **kwargs)
        if response.status_code not in expect:
            raise ControlError(
                f"{method} {path} answered {response.status_code}: {response.text[:500]}"
            )
        return response.json() if response.content else None

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/_mock/health")

    def reset(self) -> None:
        self._call("POST", "/_mock/reset")

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """Journal entries, oldest first (filters: method, path prefix, status, verdict,
        since_id, limit)."""
        query = {key: value for key, value in filters.items() if value is not None}
        return self._call("GET", "/_mock/requests", params=query)["requests"]

    def clear_requests(self) -> int:
        return self._call("DELETE", "/_mock/requests")["cleared"]

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (scope request: method, path, status, headers, latency_ms, drop,
        times, probability; scope delivery: event, duplicate, delay_ms, reorder)."""
        return self._call("POST", "/_mock/faults", expect=(201,), json=rule)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_mock/faults")["faults"]

    def remove_fault(self, fault_id: str) -> None:
        self._call("DELETE", f"/_mock/faults/{fault_id}", expect=(204,))

    def clear_faults(self) -> int:
        return self._call("DELETE", "/_mock/faults")["cleared"]

    def clock(self) -> dict[str, Any]:
        return self._call("GET", "/_mock/clock")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move a manual clock forward (409 from a real-clock mock raises ControlError)."""
        return self._call("POST", "/_mock/clock/advance", json={"seconds": seconds})

    def close(self) -> None:
        for session in self._sessions:
            session.close()
        self._sessions.clear()


class SoPostControl(MockClient):
    """SoPost's control API plus the two vendor calls a kit needs (subscribe, read an order)."""

    def organisations(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_mock/organisations")["organisations"]

    def default_organisation(self) -> dict[str, Any]:
        return next(o for o in self.organisations() if o.get("default"))

    def create_order(self, **overrides: Any) -> dict[str, Any]:
        """``POST /_mock/orders``: email, consents (whole objects, ``[]`` for none),
        custom_questions, outcome (APPROVED|REJECTED|REVIEW|PENDING), distribute, address..."""
        return self._call("POST", "/_mock/orders", expect=(201,), json=overrides)

    def transition(self, order_id: str, status: str, resume: bool = False) -> dict[str, Any]:
        return self._call(
            "POST",
            f"/_mock/orders/{order_id}/transition",
            json={"status": status, "continue": resume},
        )

    def orders(self, status: str | None = None) -> list[dict[str, Any]]:
        return self._call("GET", "/_mock/orders", params={"status": status} if status else {})[
            "orders"
        ]

    def deliveries(
        self, order_id: str | None = None, event_id: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        query = {"order_id": order_id, "event_id": event_id, "status": status}
        return self._call("GET", "/_mock/deliveries", params={k: v for k, v in query.items() if v})[
            "deliveries"
        ]

    def wait_for_delivery(
        self,
        order_id: str,
        event: str | None = None,
        status: str = "succeeded",
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """The first delivery of ``order_id`` (of ``event``, if given) whose status is
        ``status`` (default: answered 2xx), polling until ``timeout``."""

        def found() -> dict[str, Any] | None:
            return next(
                (
                    d
                    for d in self.deliveries(order_id=order_id)
                    if d["status"] == status and event in (None, d["event"])
                ),
                None,
            )

        what = f"a {status} delivery of {event or 'any event'} for order {order_id}"
        return poll(found, timeout, what)

    def redeliver(self, delivery_id: str) -> dict[str, Any]:
        return self._call("POST", f"/_mock/deliveries/{delivery_id}/redeliver", expect=(202,))

    def subscribe(self, url: str, auth: tuple[str, str], organisation_id: str) -> Subscription:
        """``POST /v1/webhooks`` as the organisation: OrderEvents of all its orders to ``url``."""
        body = self._call(
            "POST",
            "/v1/webhooks",
            expect=(201,),
            auth=auth,
            json={
                "url": url,
                "events": ["OrderEvent"],
                "entity_type": "Organisation",
                "entity_id": organisation_id,
            },
        )
        return Subscription(body["id"], body["url"], body["secret"])

    def order(self, order_id: str, auth: tuple[str, str]) -> dict[str, Any]:
        return self._call("GET", f"/v1/orders/{order_id}", auth=auth)


class PoplarControl(MockClient):
    """Poplar's control API: stored orders (every account), the audience, purge."""

    def orders(self, account_id: str | None = None) -> list[dict[str, Any]]:
        params = {"account_id": account_id} if account_id else {}
        return self._call("GET", "/_mock/orders", params=params)["orders"]

    def wait_for_order(self, order_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The order Poplar stored for ``order_id``, polling until ``timeout``."""

        def found() -> dict[str, Any] | None:
            return next((o for o in self.orders() if o["order_id"] == order_id), None)

        return poll(found, timeout, f"order {order_id} reaching Poplar")

    def audience(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_mock/audience")["audiences"]

    def purge(self) -> int:
        return self._call("POST", "/_mock/purge")["purged"]
