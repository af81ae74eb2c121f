"""The ceiling for the mocks: Flask with one JSON route, served by granian as the mocks are
(servekit's bridge, the request run inline on the event loop like the mocks' vendor API)."""

from __future__ import annotations

from flask import Flask

from servekit.rsgi_bridge import WsgiOverRsgi

__all__ = ["create_app"]


def create_app() -> WsgiOverRsgi:
    app = Flask(__name__)
    app.add_url_rule("/", "root", lambda: {"status": "ok"})
    return WsgiOverRsgi(app, max_body=1024, body_timeout=10.0, threads=1, inline=lambda _: True)
