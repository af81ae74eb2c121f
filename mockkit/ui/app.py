"""The flow view's Flask app: ``/`` (every order), ``/orders/<id>`` (one timeline), their live
fragments, and ``/api/flow`` (the rows as JSON).

Read-only: it changes nothing in any service, so it has no forms. It still refuses foreign
Host headers, because any page the developer visits could otherwise read it by DNS rebinding.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import UTC, datetime

from flask import Flask, abort, current_app, jsonify, render_template, request

from mockkit.ui.flow import flow_rows, timeline
from mockkit.ui.service import UI_ENV
from mockkit.ui.sources import Sources, UiConfig
from pagekit import pagekit_blueprint, secure_page
from servekit.rsgi_bridge import WsgiOverRsgi
from servekit.settings import DEFAULT_CLIENT_TIMEOUT

__all__ = ["create_app", "served_app"]
UI_MAX_BODY = 64 * 1024  # read-only pages: no request carries a body worth more
UI_THREADS = 8  # a few browser tabs, each request waiting on the services


def _sources() -> Sources:
    return current_app.extensions["mockkit_ui"]


def _clock(epoch: float | None) -> str:
    if not epoch:
        return "—"
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%H:%M:%S.%f")[:-3]


def create_app(config: UiConfig) -> Flask:
    app = Flask("mockkit.ui")
    app.extensions["mockkit_ui"] = Sources(config)
    app.register_blueprint(pagekit_blueprint(""))
    app.add_template_filter(_clock, "clock")
    app.after_request(secure_page)

    @app.before_request
    def _known_host() -> None:
        if request.host.rsplit(":", 1)[0].strip("[]") not in config.hosts:
            abort(421, "unknown Host header; open the flow view at 127.0.0.1 or localhost")

    @app.context_processor
    def _nav() -> dict[str, object]:
        return {"nav_links": config.links(), "active": "Flow view", "product": "flow view"}

    @app.get("/")
    def flow() -> str:
        return render_template("ui/flow.html", **_flow_context())

    @app.get("/live")
    def flow_live() -> str:
        return render_template("ui/flow_rows.html", **_flow_context())

    @app.get("/api/flow")
    def flow_json():
        snap = _sources().snapshot()
        return jsonify({"rows": [asdict(row) for row in flow_rows(snap)], "down": snap.down})

    @app.get("/orders/<order_id>")
    def order(order_id: str) -> str:
        return render_template("ui/order.html", **_order_context(order_id))

    @app.get("/orders/<order_id>/live")
    def order_live(order_id: str) -> str:
        return render_template("ui/order_steps.html", **_order_context(order_id))

    return app


def _flow_context() -> dict[str, object]:
    snap = _sources().snapshot()
    return {"rows": flow_rows(snap), "down": snap.down}


def _order_context(order_id: str) -> dict[str, object]:
    snap = _sources().snapshot(order_id)
    found = next((o for o in snap.orders if o["id"] == order_id), None)
    if found is None and not snap.down:
        abort(404, f"SoPost has no order {order_id}")
    return {
        "order": found or {"id": order_id},
        "steps": timeline(snap, order_id),
        "down": snap.down,
    }


def served_app() -> WsgiOverRsgi:
    """Granian factory: the flow view configured from ``$MOCKKIT_UI_OPTIONS`` (JSON). Every
    request reads the services over HTTP, so each runs on a thread of its own."""
    options = json.loads(os.environ.get(UI_ENV, "{}"))
    options["hosts"] = tuple(options.get("hosts", UiConfig.hosts))
    body_timeout = options.pop("client_timeout", DEFAULT_CLIENT_TIMEOUT)
    return WsgiOverRsgi(
        create_app(UiConfig(**options)),
        max_body=UI_MAX_BODY,
        body_timeout=body_timeout,
        threads=UI_THREADS,
    )
