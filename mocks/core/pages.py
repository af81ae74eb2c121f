"""What both mocks' HTML pages share: the navigation, page headers and calling a control
operation from a form exactly as the control API would (same validation, same handler).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from mocks.core.docs import docs_blueprint
from mocks.core.runtime import CONTROL_PREFIX, Handler, MockRuntime
from pagekit import pagekit_blueprint

__all__ = ["PAGE_PREFIXES", "ControlCalls", "install_pages"]

PAGE_PREFIXES = (f"{CONTROL_PREFIX}/ui", f"{CONTROL_PREFIX}/docs", f"{CONTROL_PREFIX}/pagekit")


class ControlCalls:
    """Runs a control operation for a page: the body is checked against the control spec and
    handed to the operation's own handler, so a form can do nothing the API would refuse."""

    def __init__(self, runtime: MockRuntime, handlers: dict[str, Handler]) -> None:
        self.handlers = handlers
        self.operations = {
            op.id: op for op in runtime.control_spec.operations_where(mock=runtime.vendor)
        }

    def __call__(self, operation_id: str, body: Any = None, **path_params: str) -> Any:
        raw = b"" if body is None else json.dumps(body).encode()
        request = self.operations[operation_id].validate(path_params, {}, "application/json", raw)
        return self.handlers[operation_id](request)


def install_pages(app: Flask, title: str, pages: list[tuple[str, str]]) -> ControlCalls:
    """The stylesheet, the API reference, page headers and the navigation of every page of this
    mock; returns what its forms call the control operations with."""
    runtime: MockRuntime = app.extensions["mockkit"].runtime
    # Pages, not control API: form posts (with their CSRF token) are allowed here.
    runtime.exempt_prefixes = (*runtime.exempt_prefixes, *PAGE_PREFIXES)
    app.register_blueprint(pagekit_blueprint(CONTROL_PREFIX))
    app.register_blueprint(docs_blueprint(runtime, title))

    @app.context_processor
    def _nav() -> dict[str, Any]:
        flow = [("Flow view", runtime.config.flow_url)] if runtime.config.flow_url else []
        links = [*flow, *pages, ("API docs", "/_mock/docs")]
        return {"nav_links": links, "product": f"{title} mock"}

    return ControlCalls(runtime, app.extensions["mockkit_control"])
