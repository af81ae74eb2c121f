"""``/_mock/docs``: an offline API reference of the vendor's spec and of its control API.

Swagger UI 5 (it reads OpenAPI 3.1) comes as files inside a Python package
(``swagger-ui-bundle-v2``), so the page needs no CDN and no network. Its start-up script is a
static file too (``static/docs.js``), so the page works under CSP ``script-src 'self'``. The
specs are the ones the mock serves from, so the reference cannot drift from the behaviour.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from flask import Blueprint, jsonify, make_response, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from mocks.core.runtime import MockRuntime
from pagekit.headers import CONTENT_SECURITY_POLICY

__all__ = ["control_document", "docs_blueprint"]

STATIC = Path(__file__).parent / "static"
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def control_document(runtime: MockRuntime) -> dict[str, Any]:
    """The control spec reduced to the operations this mock serves (``x-mock``), each under
    this vendor's tag only (an operation both mocks serve would otherwise be listed twice)."""
    document = copy.deepcopy(runtime.control_spec.document)
    served = {
        vendor
        for item in document["paths"].values()
        for method in METHODS
        for vendor in item.get(method, {}).get("x-mock", [])
    }
    other = served - {runtime.vendor}
    for path, item in list(document["paths"].items()):
        for method in [m for m in item if m in METHODS]:
            if runtime.vendor not in item[method].get("x-mock", []):
                del item[method]
            else:
                item[method]["tags"] = [t for t in item[method].get("tags", []) if t not in other]
        if not any(m in item for m in METHODS):
            del document["paths"][path]
    document["tags"] = [t for t in document.get("tags", []) if t.get("name") not in other]
    return document


def docs_blueprint(runtime: MockRuntime, title: str) -> Blueprint:
    page = Blueprint(
        "mock_docs",
        __name__,
        url_prefix="/_mock/docs",
        static_folder=str(swagger_ui_path),
        static_url_path="/swagger-ui",
        template_folder="templates",
    )
    control = control_document(runtime)

    @page.get("")
    @page.get("/")
    def show() -> Any:
        specs = [
            {"name": f"{title} API", "url": f"/_mock/docs/{runtime.vendor}.json"},
            {"name": f"{title} mock control API (/_mock)", "url": "/_mock/docs/control.json"},
        ]
        response = make_response(render_template("mock_docs/docs.html", title=title, specs=specs))
        # Swagger UI sets inline styles; scripts stay 'self' only.
        response.headers["Content-Security-Policy"] = DOCS_POLICY
        return response

    @page.get(f"/{runtime.vendor}.json")
    def vendor_spec() -> Any:
        return jsonify(runtime.spec.document)

    @page.get("/control.json")
    def control_spec() -> Any:
        return jsonify(control)

    @page.get("/docs.js")
    def start_script() -> Any:
        return send_from_directory(STATIC, "docs.js", mimetype="text/javascript")

    return page
