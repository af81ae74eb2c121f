"""Small fake SoPost and Poplar servers (real HTTP on loopback) and helpers for harness tests.

The fakes are deliberately strict where the real vendors are (Basic/Bearer auth, Poplar's
field whitelist, no nulls, 409 on a duplicate order_id) and scriptable where tests need it
(queued failures: 429 with ``x-rate-limit-reset``, 5xx, 4xx). Every request is recorded so
tests assert on what reached the vendor, not on log text.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, jsonify, request
from standardwebhooks.webhooks import Webhook
from werkzeug.serving import BaseWSGIServer, make_server

from tests.unit.harness import harness_samples as samples

T = TypeVar("T")

SOPOST_USER = "11111111-2222-3333-4444-555555555555"
SOPOST_PASSWORD = "66666666-7777-8888-9999-000000000000"
POPLAR_TOKEN = "prod-token-123"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"harness-test-secret-0123456789ab").decode()
SOPOST_CONSENT = samples.GUIDE_ORDER["consents"][0]

POPLAR_FIELDS = {
    "order_id", "order_date", "currency", "total", "customer_email_sha256", "customer_email",
    "customer_id", "shipping_address", "billing_address", "order_items", "metadata",
}  # fmt: skip
POPLAR_ADDRESS = {"name", "address_1", "address_2", "city", "state", "postal_code", "country"}
POPLAR_ITEM = {"identifier", "description", "quantity", "total", "price", "category", "metadata"}


class Served:
    """A WSGI app on a free loopback port, in a background thread."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def rate_limited(seconds_from_now: float = 1.0) -> Failure:
    """A 429 whose ``x-rate-limit-reset`` is ``seconds_from_now`` ahead (epoch seconds)."""
    reset = time.time() + seconds_from_now
    return Failure(
        429,
        {"x-rate-limit-reset": f"{reset:.3f}", "x-rate-limit-remaining": "0"},
        {"error": {"title": "TooManyRequests", "message": "rate limit exceeded"}},
    )


def make_order(status: str = "APPROVED", **changes: Any) -> dict[str, Any]:
    """The guide's order under a fresh id and identity, with a mixed-case e-mail."""
    return samples.order(
        id=str(uuid.uuid4()),
        short_id=secrets.token_hex(6).upper()[:11],
        activity_id="932c6eba-6fc5-4e41-9ea9-5fd2fe950b25",
        email="Joe.Bloggs@Example.com",
        identity=str(uuid.uuid4()),
        status=status,
        **changes,
    )


def make_event(order: dict[str, Any], status: str | None = None) -> dict[str, str]:
    return {
        "event_id": secrets.token_hex(20),
        "event": status or order["status"],
        "order_id": order["id"],
        "activity_id": order["activity_id"],
    }


def signed_headers(body: bytes, secret: str = WEBHOOK_SECRET, at: float | None = None):
    msg_id = "msg_" + secrets.token_hex(8)
    when = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    signature = Webhook(secret).sign(msg_id, when, body.decode())
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
    }


class FakeSoPost:
    """``GET /v1/orders/<id>`` with HTTP Basic auth; queued failures are answered first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orders: dict[str, dict[str, Any]] = {}
        self.failures: deque[Failure] = deque()
        self.requests: list[tuple[str, int]] = []

    def add(self, order: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.orders[order["id"]] = order
        return order

    def set_status(self, order_id: str, status: str) -> None:
        with self.lock:
            self.orders[order_id]["status"] = status

    def app(self) -> Flask:
        app = Flask("fake_sopost")

        @app.get("/v1/orders/<order_id>")
        def get_order(order_id: str):
            with self.lock:
                auth = request.authorization
                if auth is None or (auth.username, auth.password) != (
                    SOPOST_USER,
                    SOPOST_PASSWORD,
                ):
                    status, body, headers = 401, {"error": "bad credentials"}, {}
                elif self.failures:
                    failure = self.failures.popleft()
                    status, body, headers = failure.status, failure.body, failure.headers
                elif order_id in self.orders:
                    status, body, headers = 200, json.loads(json.dumps(self.orders[order_id])), {}
                else:
                    status, body, headers = 404, {"error": "not found"}, {}
                self.requests.append((order_id, status))
            return jsonify(body), status, headers

        return app


class FakePoplar:
    """``POST /v1/order`` with Bearer auth, Poplar's field rules and 409 on duplicates."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orders: dict[str, dict[str, Any]] = {}
        self.created: Counter[str] = Counter()
        self.failures: deque[Failure] = deque()
        # (order_id, status, time) of every request, in arrival order.
        self.requests: list[tuple[str | None, int, float]] = []
        # Seconds between storing an order and answering: widens the window in which a
        # crashing client has submitted but not yet recorded the submit.
        self.latency = 0.0

    def _problems(self, body: Any) -> list[str]:
        if not isinstance(body, dict):
            return ["body must be a JSON object"]
        problems = [f"unknown field {k}" for k in body if k not in POPLAR_FIELDS]
        problems += [f"{k} is null" for k, v in body.items() if v is None]
        for key in ("order_id", "order_date"):
            if not isinstance(body.get(key), str):
                problems.append(f"{key} is required")
        address = body.get("shipping_address", {})
        problems += [f"shipping_address.{k} unknown" for k in address if k not in POPLAR_ADDRESS]
        problems += [f"shipping_address.{k} is null" for k, v in address.items() if v is None]
        for item in body.get("order_items", []):
            problems += [f"order_items.{k} unknown" for k in item if k not in POPLAR_ITEM]
        metadata = body.get("metadata", {})
        if len(metadata) > 10:
            problems.append("metadata has more than 10 keys")
        for key, value in metadata.items():
            if len(key) > 40 or not isinstance(value, str | int | float | bool):
                problems.append(f"metadata.{key} invalid")
            elif isinstance(value, str) and len(value) > 200:
                problems.append(f"metadata.{key} longer than 200")
        return problems

    def app(self) -> Flask:
        app = Flask("fake_poplar")

        @app.post("/v1/order")
        def submit():
            body = request.get_json(silent=True)
            order_id = body.get("order_id") if isinstance(body, dict) else None
            with self.lock:
                if request.headers.get("Authorization") != f"Bearer {POPLAR_TOKEN}":
                    status, reply, headers = 401, _error("Unauthorized", "bad token"), {}
                elif self.failures:
                    failure = self.failures.popleft()
                    status, reply, headers = failure.status, failure.body, failure.headers
                elif problems := self._problems(body):
                    status, reply, headers = 400, _error("ValidationError", "; ".join(problems)), {}
                elif order_id in self.orders:
                    status, reply, headers = 409, _error("Conflict", "order_id exists"), {}
                else:
                    self.orders[order_id] = body
                    self.created[order_id] += 1
                    status, reply, headers = 200, {"id": str(uuid.uuid4()), **body}, {}
                self.requests.append((order_id, status, time.time()))
            if self.latency:
                time.sleep(self.latency)
            return jsonify(reply), status, headers

        return app


def _error(title: str, message: str) -> dict[str, Any]:
    return {"error": {"title": title, "message": message}}
