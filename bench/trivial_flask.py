"""The ceiling for the mocks: Flask with one JSON route, served by granian as the mocks are."""

from __future__ import annotations

from flask import Flask

__all__ = ["create_app"]


def create_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/", "root", lambda: {"status": "ok"})
    return app
