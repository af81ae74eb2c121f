"""The harness's pages: ``/status`` as HTML (beside the JSON), recent events, dead-letter retry.

``GET /status`` answers HTML to a browser (content negotiation in :mod:`harness.app`); the
page refreshes its body from ``/status/live``. ``GET /events`` is the JSON a dashboard (the
flow view) reads to show each order's decision. Forms carry a token (:mod:`pagekit.csrf`),
and with ``HARNESS_ADMIN_TOKEN`` set every page but the sign-in form needs the admin cookie.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request

from harness.admin import ADMIN_COOKIE, admin_cookie_value, is_admin, json_error, wants_html
from harness.service import HarnessService
from pagekit import FormGuard, pagekit_blueprint, secure_page

__all__ = ["install_dashboard", "refuse", "sign_in_page", "status_page"]

RECENT = 50


def _service() -> HarnessService:
    return current_app.extensions["harness"]


def _pages() -> Blueprint:
    page = Blueprint("dashboard", __name__, template_folder="templates")

    @page.before_request
    def _guard():
        if request.endpoint == "dashboard.sign_in" or is_admin(_service().config.admin_token):
            return None
        return refuse()

    @page.get("/events")
    def events():
        limit = min(max(request.args.get("limit", 100, type=int), 1), 1000)
        order_id = request.args.get("order_id") or None
        rows = _service().store.recent_events(limit, order_id)
        return jsonify({"events": [row.to_json() for row in rows]})

    @page.get("/status/live")
    def live():
        return render_template("harness/status_body.html", **_status_context(_service()))

    @page.post("/status/sign-in")
    def sign_in():
        token = _service().config.admin_token
        given = request.form.get("token", "").strip()
        if token is None:
            return redirect("/status", 303)
        if not hmac.compare_digest(given.encode(), token.encode()):
            return sign_in_page("That is not the harness's admin token.")
        response = redirect("/status", 303)
        response.set_cookie(
            ADMIN_COOKIE, admin_cookie_value(token), httponly=True, samesite="Strict", path="/"
        )
        return response

    @page.post("/status/dead-letters/<event_id>/retry")
    def retry(event_id: str):
        service = _service()
        if not service.store.requeue(event_id, service.clock()):
            return status_page(f"No dead letter {event_id!r} (already retried?).", 404)
        service.pool.wake()
        return redirect(f"/status?retried={event_id}", 303)

    return page


def refuse():
    """The answer to a request without the admin token: a sign-in page for a person, JSON else."""
    if wants_html():
        return sign_in_page()
    return json_error(401, "Unauthorized", "send 'Authorization: Bearer <HARNESS_ADMIN_TOKEN>'")


def status_page(notice: str | None = None, code: int = 200) -> tuple[str, int]:
    context = _status_context(_service())
    retried = request.args.get("retried")
    if retried and notice is None:
        context["done"] = f"Event {retried} is back in the inbox with a fresh set of attempts."
    return render_template("harness/status.html", notice=notice, **context), code


def sign_in_page(notice: str | None = None) -> tuple[str, int]:
    return render_template("harness/sign_in.html", notice=notice), 401


def _status_context(service: HarnessService) -> dict[str, Any]:
    status = service.status()
    return {
        "status": status,
        "dead": service.store.dead_letters(100),
        "recent": service.store.recent_events(RECENT),
    }


def _clock(epoch: float | None) -> str:
    if epoch is None:
        return "—"
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%H:%M:%S")


def _nav() -> dict[str, Any]:
    links = [("Status", "/status")]
    flow = current_app.extensions["harness"].config.flow_url
    if flow:
        links.insert(0, ("Flow view", flow))
    return {"nav_links": links, "active": "Status", "product": "harness", "flow_url": flow}


def install_dashboard(app: Flask) -> None:
    """Register the pages, their stylesheet and page headers on the harness app."""
    pages = _pages()
    # The forms post to these pages, but app.py's /status view renders them too.
    forms = FormGuard()
    forms.protect(pages)
    forms.offer(app)
    app.register_blueprint(pagekit_blueprint(""))
    app.register_blueprint(pages)
    app.add_template_filter(_clock, "clock")
    app.context_processor(_nav)
    app.after_request(secure_page)
