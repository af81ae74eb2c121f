"""A small, plausible SoPost -> Poplar integration with switchable bugs.

Each ``tests/contract/broken/<name>.py`` turns on one bug and runs it; verify must fail it on
the scenario meant to catch that bug. Stdlib + requests + flask only, configured by the
environment contract of ``mockkit verify`` (PORT, SOPOST_*, POPLAR_*), so it stands for a
third-party integration. With every switch at its default it is correct enough to pass the
scenarios these tests run.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging
import os
import queue
import threading
import time
from datetime import UTC, datetime

import requests
from flask import Flask, request

FORWARDABLE = {"APPROVED", "PROCESSING", "DISPATCHED", "DELIVERED"}


def run(
    verify_signature: bool = True,
    dedupe_events: bool = True,
    dedupe_orders: bool = True,
    check_status: bool = True,
    check_consent: bool = True,
    any_handler: bool = False,
    lower_email: bool = True,
    retry: bool = True,
    honour_reset: bool = True,
    process_inline: bool = False,
    ack_delay: float = 0.0,
    truncate_metadata: bool = True,
    extra_field: bool = False,
    bad_date: bool = False,
    ascii_only: bool = False,
    queue_size: int = 0,
    process_delay: float = 0.0,
    order_id_field: str = "id",
) -> None:
    env = os.environ
    sopost, poplar = env["SOPOST_API_URL"], env["POPLAR_API_URL"]
    auth = (env["SOPOST_API_USER"], env["SOPOST_API_PASSWORD"])
    token, secret = env["POPLAR_API_TOKEN"], env.get("SOPOST_WEBHOOK_SECRET")
    seen_events: set[str] = set()
    forwarded: set[str] = set()
    work: queue.Queue[dict] = queue.Queue(maxsize=queue_size)
    lock = threading.Lock()

    def signed(body: bytes) -> bool:
        if not secret:
            return True
        key = base64.b64decode(secret.removeprefix("whsec_"))
        content = f"{request.headers.get('webhook-id')}.{request.headers.get('webhook-timestamp')}."
        expected = base64.b64encode(
            hmac.new(key, content.encode() + body, hashlib.sha256).digest()
        ).decode()
        given = [s.split(",", 1)[-1] for s in request.headers.get("webhook-signature", "").split()]
        return any(hmac.compare_digest(expected, g) for g in given)

    def call(method: str, url: str, **kwargs) -> requests.Response:
        for _ in range(30 if retry else 1):
            try:
                response = requests.request(method, url, timeout=15, **kwargs)
            except requests.RequestException:
                time.sleep(0.1)
                continue
            if response.status_code == 429 and retry:
                reset = float(response.headers.get("x-rate-limit-reset", time.time() + 1))
                time.sleep(max(0.0, reset - time.time()) if honour_reset else 0.05)
            elif response.status_code >= 500 and retry:
                time.sleep(0.1)
            else:
                return response
        return response

    def poplar_body(order: dict) -> dict:
        email = order["email"].strip()
        email = email.lower() if lower_email else email
        address = order["address"]
        name = order["full_name"]
        if ascii_only:
            name = name.encode("ascii").decode()  # raises on anything else: order lost
        metadata = {
            q["question_id"]: "; ".join(a["answer_text"] for a in q["answer"])
            for q in order.get("custom_questions", [])
        }
        if truncate_metadata:
            metadata = {k[:40]: v[:200] for k, v in list(metadata.items())[:10] if v}
        body = {
            "order_id": order[order_id_field],
            "order_date": datetime.now(UTC).date().isoformat(),
            "total": 0,
            "customer_email_sha256": hashlib.sha256(email.encode()).hexdigest(),
            "shipping_address": {
                "name": name.strip() or "Customer",
                "address_1": address["line_1"],
                "postal_code": address["postcode"],
            },
        }
        if metadata:
            body["metadata"] = metadata
        if extra_field:
            body["brand"] = "glow"  # not in Poplar's OrderRequest (an assumed rule: a warning)
        if bad_date:
            body["order_date"] = datetime.now(UTC).strftime("%d/%m/%Y")  # documented: YYYY-MM-DD
        return body

    def handle(event: dict) -> None:
        time.sleep(process_delay)
        order_id = event["order_id"]
        order = call("GET", f"{sopost}/orders/{order_id}", auth=auth).json()
        if check_status and order.get("status") not in FORWARDABLE:
            return
        consents = [
            c
            for c in order.get("consents", [])
            if c.get("status") == "APPROVED"
            and (any_handler or c.get("data_handler", "").lower() == "sopost")
        ]
        if check_consent and not consents:
            return
        with lock:
            if dedupe_orders and order_id in forwarded:
                return
            forwarded.add(order_id)
        call(
            "POST",
            f"{poplar}/order",
            json=poplar_body(order),
            headers={"Authorization": f"Bearer {token}"},
        )

    def worker() -> None:
        while True:
            event = work.get()
            try:
                handle(event)
            except Exception:
                logging.exception("event failed")

    for _ in range(4):
        threading.Thread(target=worker, daemon=True).start()

    app = Flask(__name__)

    @app.post("/webhooks/sopost")
    def webhook():
        body = request.get_data()
        if verify_signature and not signed(body):
            return {"error": "bad signature"}, 401
        event = request.get_json()
        with lock:
            if dedupe_events and event["event_id"] in seen_events:
                return {"duplicate": True}, 200
            seen_events.add(event["event_id"])
        time.sleep(ack_delay)
        if process_inline:
            handle(event)
        else:
            with contextlib.suppress(queue.Full):  # when full: dropped, yet acknowledged
                work.put_nowait(event)
        return {"ok": True}, 202

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app.run(host="127.0.0.1", port=int(env["PORT"]), threaded=True)
