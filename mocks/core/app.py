"""The part of every vendor's ``create_app`` that is the same: one Flask app per mock object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from flask import Flask

from mocks.core.control import common_control_handlers
from mocks.core.pipeline import Caller
from mocks.core.runtime import Handler, MockRuntime
from servekit.flask_app import ServedFlask

__all__ = ["VendorMock", "build_app"]


class VendorMock(Protocol):
    """What a vendor's mock object offers the app builder."""

    runtime: MockRuntime

    def reset(self) -> None: ...

    def authenticate(self, headers: Mapping[str, str]) -> Caller: ...


def build_app(
    import_name: str,
    mock: VendorMock,
    handlers: dict[str, Handler],
    control_handlers: dict[str, Handler],
    **install: Any,
) -> Flask:
    """A Flask app serving ``mock``'s spec and control API; it owns ``mock`` in its extensions.

    ``install`` goes to :meth:`MockRuntime.install` (the vendor's own ``stages``, prefixes...).
    """
    app = ServedFlask(import_name)
    control = {**common_control_handlers(mock.runtime, mock.reset), **control_handlers}
    mock.runtime.install(app, handlers, control, gate=mock.authenticate, **install)
    app.extensions["mockkit"] = mock
    app.extensions["mockkit_control"] = control  # the pages run the same handlers
    return app
