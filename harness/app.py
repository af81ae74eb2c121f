"""Thin Flask layer: parse the request, call the service, render JSON.

``create_app`` builds a :class:`~harness.service.HarnessService`, starts its workers and
keeps it in ``app.extensions["harness"]``; call ``.stop()`` on it to shut the workers down.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from harness.admin import is_admin, json_error, wants_html
from harness.config import HarnessConfig
from harness.dashboard import install_dashboard, refuse, status_page
from harness.receiver import PayloadError, SignatureError
from harness.service import HarnessService
from harness.store import Admission, StoreUnavailable
from servekit.flask_app import ServedFlask
from servekit.rsgi_bridge import BODY_CUT_SHORT, BODY_TIMED_OUT, WsgiOverRsgi

__all__ = ["create_app", "create_server"]

# An OrderEvent is four short fields; anything much bigger is not from SoPost.
MAX_BODY_BYTES = 64 * 1024
# Threads for handlers, started as needed: a webhook may wait up to HARNESS_DB_RETRY_SECONDS
# on a database that is away, and /health must still find a thread. Clients still sending
# their body hold none.
SERVER_THREADS = 64

bp = Blueprint("harness", __name__)


def _service() -> HarnessService:
    return current_app.extensions["harness"]


@bp.before_app_request
def _body_arrived():
    """The server stopped reading a body that missed the deadline (408) or that the client cut
    short (400); the connection is closed after either."""
    if request.environ.get(BODY_TIMED_OUT):
        abort(408, "the request body did not arrive within HARNESS_CLIENT_TIMEOUT")
    if request.environ.get(BODY_CUT_SHORT):
        abort(400, "the request body ended before its Content-Length")


@bp.before_request
def _admin_auth():
    """Operator endpoints need ``HARNESS_ADMIN_TOKEN`` when one is configured."""
    if request.endpoint in ("harness.webhook", "harness.health"):
        return None
    return None if is_admin(_service().config.admin_token) else refuse()


@bp.post("/webhooks/sopost")
def webhook():
    service = _service()
    body = request.get_data(cache=False)
    try:
        event = service.receiver.parse(body, request.headers)
    except SignatureError as exc:
        return json_error(401, "InvalidSignature", f"webhook signature rejected: {exc}")
    except PayloadError as exc:
        return json_error(400, "ValidationError", "not a SoPost OrderEvent", details=exc.errors)
    admitted = service.accept(event)
    # 202 either way: a duplicate was already accepted, SoPost must stop resending it.
    duplicate = admitted is Admission.DUPLICATE
    return jsonify({"event_id": event.event_id, "duplicate": duplicate}), 202


@bp.get("/health")
def health():
    service = _service()
    # Only the kind: /health is unauthenticated, the target is in /status.
    database = service.store.describe()["kind"]
    try:
        service.store.ping()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        return jsonify({"status": "error", "db": error, "database": database}), 503
    alive = service.pool.alive()
    status = "ok" if alive == service.config.workers else "degraded"
    body = {"status": status, "db": "ok", "database": database, "workers_alive": alive}
    return jsonify(body), (200 if status == "ok" else 503)


@bp.get("/status")
def status():
    """JSON for programs; the HTML dashboard (harness.dashboard) for a browser."""
    if wants_html():
        return status_page()
    return jsonify(_service().status())


@bp.get("/dead-letters")
def dead_letters():
    limit = min(max(request.args.get("limit", 100, type=int), 1), 1000)
    letters = _service().store.dead_letters(limit)
    return jsonify({"dead_letters": [letter.to_json() for letter in letters]})


@bp.post("/dead-letters/<event_id>/retry")
def retry_dead_letter(event_id: str):
    service = _service()
    if not service.store.requeue(event_id, service.clock()):
        return json_error(404, "NotFound", f"no dead letter with event_id {event_id!r}")
    service.pool.wake()
    return jsonify({"event_id": event_id, "state": "received"}), 202


def _http_error(error: HTTPException):
    """Unknown routes, wrong methods, oversized bodies: JSON like every other answer."""
    title = "".join(word.capitalize() for word in (error.name or "Error").split())
    response = json_error(error.code or 500, title, error.description or "request failed")
    if error.code == 405 and getattr(error, "valid_methods", None):
        response[0].headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _store_unavailable(error: StoreUnavailable):
    """The database is away (a restart, a network cut): nothing was stored, ask for a resend.

    SoPost resends a webhook that did not get a 2xx, so a 503 here loses nothing.
    """
    response = json_error(503, "ServiceUnavailable", f"{error}; try again shortly")
    response[0].headers["Retry-After"] = "5"
    return response


def create_app(config: HarnessConfig | None = None) -> Flask:
    """Build the harness app and start its workers (config from the environment if None)."""
    config = config or HarnessConfig.from_env(os.environ)
    app = ServedFlask("harness")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    service = HarnessService(config)
    app.extensions["harness"] = service
    app.register_blueprint(bp)
    install_dashboard(app)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StoreUnavailable, _store_unavailable)
    service.start()
    return app


def create_server(config: HarnessConfig | None = None) -> WsgiOverRsgi:
    """granian's factory: the app behind a server that reads bodies (chunked or not) up to
    ``MAX_BODY_BYTES`` and within ``HARNESS_CLIENT_TIMEOUT`` before a thread runs it."""
    config = config or HarnessConfig.from_env(os.environ)
    return WsgiOverRsgi(
        create_app(config),
        max_body=MAX_BODY_BYTES,
        body_timeout=config.client_timeout,
        threads=SERVER_THREADS,
    )
