"""The blueprint that serves the stylesheet and script and makes ``pagekit/base.html`` findable."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["pagekit_blueprint"]


def pagekit_blueprint(url_prefix: str) -> Blueprint:
    """Static files at ``<url_prefix>/pagekit/...``; templates extend ``pagekit/base.html``.

    A mock serves it under ``/_mock`` so that no vendor path is taken; the harness and the flow
    view at the root.
    """
    return Blueprint(
        "pagekit",
        __name__,
        url_prefix=url_prefix,
        static_folder="static",
        static_url_path="/pagekit",
        template_folder="templates",
    )
